package learned

import (
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Model is a trained tagger. It is immutable and safe for concurrent use.
type Model struct {
	file modelFile

	k int
	// feats holds the word features with their IDF and class weights.
	feats   *featTable
	gramIdx *table
	// wGram holds the n-gram weights feature-major: row j holds the k
	// class weights of n-gram j.
	wGram []float32
	// The training words with what tagging needs of them precomputed: the
	// key of their stem, the k class scores of their n-gram vector and
	// its squared length. Other words are worked out as they come.
	cacheIdx   *table
	cacheStem  []uint64
	cacheScore []float32
	cacheSq    []float64
	// net is the blended network, nil for none.
	net *netTagger

	pool sync.Pool // of *scratch
}

// modelFile is what Save writes after the header, gob-encoded.
type modelFile struct {
	ID        string
	Labels    []string // class names; "" is the "no theme" class
	None      int      // index of the "no theme" class, -1 without one
	Exclusive bool
	Spec      featureSpec
	WordKeys  []uint64
	WordIDF   []float32
	GramKeys  []uint64
	GramIDF   []float32
	Words     []string
	WordW     sparseRows
	GramW     quantized
	Bias      []float32
	Temp      float64
	PlattA    []float64
	PlattB    []float64
	Threshold []float64
	Ancestors map[string][]string
	Info      TrainInfo
	// Net is the hidden-layer network whose probabilities a model trained
	// with one label per text adds to its scores (see
	// TrainOptions.NoNetwork); nil for none.
	Net *netFile
}

// quantized stores a feature-major weight matrix as bytes: each row as
// int8 times the row's scale. It keeps model files about a quarter of the
// size of float32 at no measurable cost in accuracy.
type quantized struct {
	Scale []float32
	Q     []int8
}

func quantize(w []float64, rows, k int) quantized {
	q := quantized{Scale: make([]float32, rows), Q: make([]int8, rows*k)}
	for j := range rows {
		row := w[j*k : (j+1)*k]
		var top float64
		for _, v := range row {
			top = max(top, math.Abs(v))
		}
		if top == 0 {
			continue
		}
		s := top / 127
		q.Scale[j] = float32(s)
		for m, v := range row {
			q.Q[j*k+m] = int8(math.Round(v / s))
		}
	}
	return q
}

func (q quantized) floats(k int) []float32 {
	out := make([]float32, len(q.Q))
	for j, s := range q.Scale {
		for m := range k {
			out[j*k+m] = float32(q.Q[j*k+m]) * s
		}
	}
	return out
}

// sparseRows stores the word features' weight matrix, feature-major,
// approximately: row j holds the classes Class[Ptr[j]:Ptr[j+1]], whose
// weights are the int8 values Q times Scale[j]; every other class weighs 0.
//
// An exclusive model keeps each row's largest deviations from the row's
// median: adding one number to every class's score changes neither which
// class wins nor the softmax, so dropping the median changes no decision
// and no confidence, and keeping the largest deviations changes few.
// A multi-label model keeps the weights themselves, since each theme's
// score is compared with its own threshold. An exclusive model also drops
// deviations too small to change a decision: tagging then does a few
// additions per feature instead of one per class. (A multi-label model has
// few themes, so its rows are short anyway, and each dropped weight would
// shift a calibrated score: on Review-Pulse dropping them cost up to a
// point of micro-F1.)
type sparseRows struct {
	Ptr   []int32
	Class []uint16
	Scale []float32
	Q     []int8
}

// rowKeep is how many class deviations a row of an exclusive model keeps.
// On BANKING77 (77 classes) keeping 16 rather than all changed accuracy by
// less than 0.1 point; 12 cost about 0.1.
func rowKeep(k int) int { return min(k, 16) }

// minWeight is the magnitude below which an exclusive model's word-feature
// deviation is dropped, relative to the largest weight in the model. On
// BANKING77, 0.02 dropped 70% of the weights (mostly those of features seen
// once) and changed accuracy by less than 0.1 point.
const minWeight = 0.02

func sparsify(w []float64, rows, k int, exclusive bool) sparseRows {
	keep := k
	if exclusive {
		keep = rowKeep(k)
	}
	s := sparseRows{Ptr: make([]int32, 1, rows+1), Scale: make([]float32, rows)}
	sorted := make([]float64, k)
	order := make([]int, k)
	dev := make([]float64, k)
	var top float64
	for _, v := range w[:rows*k] {
		top = max(top, math.Abs(v))
	}
	floor := 0.0
	if exclusive {
		floor = minWeight * top
	}
	for j := range rows {
		row := w[j*k : (j+1)*k]
		base := 0.0
		if exclusive {
			copy(sorted, row)
			slices.Sort(sorted)
			base = sorted[k/2]
		}
		for c, v := range row {
			dev[c] = v - base
			order[c] = c
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(math.Abs(dev[b]), math.Abs(dev[a])) })
		kept := order[:keep]
		for len(kept) > 0 && math.Abs(dev[kept[len(kept)-1]]) <= floor {
			kept = kept[:len(kept)-1]
		}
		kept = slices.Clone(kept)
		slices.Sort(kept)
		var big float64
		for _, c := range kept {
			big = max(big, math.Abs(dev[c]))
		}
		if big > 0 {
			sc := big / 127
			s.Scale[j] = float32(sc)
			for _, c := range kept {
				if q := int8(math.Round(dev[c] / sc)); q != 0 {
					s.Class = append(s.Class, uint16(c))
					s.Q = append(s.Q, q)
				}
			}
		}
		s.Ptr = append(s.Ptr, int32(len(s.Class)))
	}
	return s
}

func (s sparseRows) valid(rows, k int) bool {
	if len(s.Scale) != rows || len(s.Ptr) != rows+1 || len(s.Class) != len(s.Q) || int(s.Ptr[rows]) != len(s.Q) {
		return false
	}
	for j := range rows {
		if s.Ptr[j] > s.Ptr[j+1] {
			return false
		}
	}
	for _, c := range s.Class {
		if int(c) >= k {
			return false
		}
	}
	return true
}

// setWeights stores training's weights (feature-major, word features, then
// n-grams, then the bias) and gives the model its ID.
func (m *Model) setWeights(w []float64, numWord, numGram int) {
	k := len(m.file.Labels)
	m.file.WordW = sparsify(w[:numWord*k], numWord, k, m.file.Exclusive)
	m.file.GramW = quantize(w[numWord*k:(numWord+numGram)*k], numGram, k)
	m.file.Bias = make([]float32, k)
	for c := range k {
		m.file.Bias[c] = float32(w[(numWord+numGram)*k+c])
	}
	h := sha256.New()
	if err := gob.NewEncoder(h).Encode(&m.file); err == nil {
		m.file.ID = "learned-" + hex.EncodeToString(h.Sum(nil)[:6])
	}
}

// init builds what tagging needs from the file's contents.
func (m *Model) init() error {
	f := &m.file
	m.k = len(f.Labels)
	switch {
	case m.k == 0:
		return errors.New("model has no themes")
	case len(f.WordKeys) != len(f.WordIDF) || len(f.GramKeys) != len(f.GramIDF):
		return errors.New("model's feature tables disagree in length")
	case !f.WordW.valid(len(f.WordKeys), m.k) || len(f.GramW.Q) != len(f.GramKeys)*m.k || len(f.Bias) != m.k:
		return errors.New("model's weights do not match its features")
	case !f.Exclusive && (len(f.PlattA) != m.k || len(f.PlattB) != m.k || len(f.Threshold) != m.k):
		return errors.New("model's calibration does not match its themes")
	case f.Net != nil && !f.Net.valid(len(f.WordKeys), len(f.GramKeys), m.k):
		return errors.New("model's network does not match its features")
	}
	var netRows []int32
	if f.Net != nil {
		netRows = f.Net.WordRow
	}
	var err error
	if m.feats, err = newFeatTable(f.WordKeys, f.WordIDF, f.WordW, m.k, netRows, denseMin(m.k)); err != nil {
		return err
	}
	m.gramIdx = newTable(f.GramKeys)
	m.wGram = f.GramW.floats(m.k)

	wordKeys := make([]uint64, len(f.Words))
	for i, w := range f.Words {
		wordKeys[i] = wordKey([]byte(w))
	}
	m.cacheIdx = newTable(wordKeys)
	m.cacheStem = make([]uint64, len(f.Words))
	m.cacheScore = make([]float32, len(f.Words)*m.k)
	m.cacheSq = make([]float64, len(f.Words))
	if f.Net != nil {
		m.net = newNetTagger(f.Net)
		m.net.cacheHidden = make([]float32, len(f.Words)*m.net.h)
	}
	var s scratch
	for i, w := range f.Words {
		b := []byte(w)
		m.cacheStem[i] = f.Spec.stemKey(b)
		m.cacheSq[i] = m.wordScores(b, &s, m.cacheScore[i*m.k:(i+1)*m.k])
		if m.net != nil {
			h := m.net.h
			m.netWordHidden(b, &s, m.net.cacheHidden[i*h:(i+1)*h])
		}
	}
	m.pool.New = func() any { return new(scratch) }
	return nil
}

// wordScores writes into out the class scores of one word's n-gram vector
// and returns the vector's squared length.
func (m *Model) wordScores(w []byte, s *scratch, out []float32) float64 {
	clear(out)
	var sq float64
	m.wordGrams(w, s, func(j int32, v float32) {
		sq += float64(v) * float64(v)
		addRow(out, v, m.wGram[int(j)*m.k:int(j)*m.k+m.k])
	})
	return sq
}

// wordGrams calls fn with each distinct n-gram of word w that the model
// has, in index order, and its value in the word's n-gram vector: its
// count times its IDF.
func (m *Model) wordGrams(w []byte, s *scratch, fn func(j int32, v float32)) {
	s.grams = s.grams[:0]
	s.offs = gramKeys(w, m.file.Spec.MinN, m.file.Spec.MaxN, s.offs, func(key uint64) {
		if j := m.gramIdx.get(key); j >= 0 {
			s.grams = append(s.grams, j)
		}
	})
	slices.Sort(s.grams)
	for i := 0; i < len(s.grams); {
		j := s.grams[i]
		n := 1
		for i+n < len(s.grams) && s.grams[i+n] == j {
			n++
		}
		i += n
		fn(j, float32(n)*m.file.GramIDF[j])
	}
}

// ID names the model: a digest of its contents.
func (m *Model) ID() string { return m.file.ID }

// Themes returns the themes the model can predict.
func (m *Model) Themes() []string {
	var out []string
	for i, l := range m.file.Labels {
		if i != m.file.None {
			out = append(out, l)
		}
	}
	return out
}

// Info says how the model was trained.
func (m *Model) Info() TrainInfo { return m.file.Info }

// withAncestors returns labels with their ancestors added, sorted.
func (m *Model) withAncestors(labels []string) []string {
	out := slices.Clone(labels)
	for _, l := range labels {
		out = append(out, m.file.Ancestors[l]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

const (
	formatMagic = "feedbackloop learned tagger"
	// formatVersion changes whenever modelFile or the meaning of its
	// fields does; Load refuses other versions.
	formatVersion = 3
)

type fileHeader struct {
	Magic   string
	Version int
}

// ErrFormat is returned by Load for a file that is not a model this build
// can read.
var ErrFormat = errors.New("not a model file this build can read")

// CanSave checks that Save could write path, before the minutes training
// takes: a file, not a directory, in a directory that exists and may be
// written.
func CanSave(path string) error {
	if path == "" {
		return errors.New("no file named")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory; name a file in it", path)
	}
	tmp, err := tempBeside(path)
	if err != nil {
		return err
	}
	_ = tmp.Close()
	return os.Remove(tmp.Name())
}

// tempBeside creates the temporary file Save writes before renaming it to
// path: in path's directory, so that the rename stays on one file system.
// Its error names the directory, not the temporary name.
func tempBeside(path string) (*os.File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot write a file in %s: %w", filepath.Dir(path), pe.Err)
	}
	return tmp, err
}

// Save writes the model to path as a gzipped gob stream behind a header
// that names the format version. It writes a temporary file and renames
// it, so a reader never sees half a model.
func (m *Model) Save(path string) (err error) {
	tmp, err := tempBeside(path)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := m.write(tmp); err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it private
		return fmt.Errorf("save model: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

func (m *Model) write(w io.Writer) error {
	zw := gzip.NewWriter(w)
	enc := gob.NewEncoder(zw)
	if err := enc.Encode(fileHeader{Magic: formatMagic, Version: formatVersion}); err != nil {
		return err
	}
	if err := enc.Encode(&m.file); err != nil {
		return err
	}
	return zw.Close()
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	defer f.Close()
	m, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	return m, nil
}

// IsModelFile reports whether the file at path starts as a model Save
// wrote, of any format version: a training command may replace such a
// file, but should not overwrite another.
func IsModelFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	var h fileHeader
	return gob.NewDecoder(zr).Decode(&h) == nil && h.Magic == formatMagic
}

func read(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	dec := gob.NewDecoder(zr)
	var h fileHeader
	if err := dec.Decode(&h); err != nil || h.Magic != formatMagic {
		return nil, fmt.Errorf("%w: no model header", ErrFormat)
	}
	if h.Version != formatVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads version %d; retrain the model with this build", ErrFormat, h.Version, formatVersion)
	}
	m := new(Model)
	if err := dec.Decode(&m.file); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := m.init(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return m, nil
}
