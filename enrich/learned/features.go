package learned

import (
	"math"
	"slices"

	"github.com/kljensen/snowball/english"
)

// featureSpec says which features a model draws from text. Its fields are
// exported for encoding/gob only.
type featureSpec struct {
	// MinN and MaxN bound the length, in characters, of the character
	// n-grams taken inside each word.
	MinN, MaxN int
	// Bigrams adds pairs of adjacent words to the single words.
	Bigrams bool
	// Window adds unordered pairs of words 2 to Window words apart.
	Window int
	// Stem reduces words to their English stems (Porter2) before they
	// make word features; n-grams are always taken from the words as
	// written.
	Stem bool
	// MinDF drops features seen in fewer training texts.
	MinDF int
	// WordWeight and CharWeight are the lengths of the two blocks of the
	// feature vector.
	WordWeight, CharWeight float64
}

func defaultSpec() featureSpec {
	return featureSpec{MinN: 2, MaxN: 5, Bigrams: true, Window: 20, Stem: true, MinDF: 1, WordWeight: 1.3, CharWeight: 1}
}

// stemKey is the key of the word feature a word makes.
func (s *featureSpec) stemKey(w []byte) uint64 {
	if !s.Stem {
		return wordKey(w)
	}
	return wordKey([]byte(english.Stem(string(w), true)))
}

// appendWordFeatures appends the keys of the word features made by a
// sequence of stems, sents[i] numbering the sentence of stem i, and, if
// first is not nil, where in keys each stem's own key is. Pairs never cross
// a sentence boundary: that keeps them meaningful, and their number linear
// in the length of long texts.
func (s *featureSpec) appendWordFeatures(stems []uint64, sents []int32, keys []uint64, first *[]int32) []uint64 {
	start, window := 0, s.Window // start: where the sentence of stem i starts
	for i, st := range stems {
		if i > 0 && sents[i] != sents[i-1] {
			start = i
		}
		if first != nil {
			*first = append(*first, int32(len(keys)))
		}
		keys = append(keys, st)
		if s.Bigrams && i > start {
			keys = append(keys, bigramKey(stems[i-1], st))
		}
		// The key of the unordered pair: mix(pairHalf(min) + max), this
		// stem's half worked out once for all its pairs, nearest first.
		half := pairHalf(st)
		for j, lo := i-2, max(start, i-window); j >= lo; j-- {
			if o := stems[j]; o < st {
				keys = append(keys, mix(pairHalf(o)+st))
			} else {
				keys = append(keys, mix(half+o))
			}
		}
	}
	return keys
}

// idf is the smoothed inverse document frequency scikit-learn also uses: a
// feature in every text still weighs 1.
func idf(n, df int) float32 {
	return float32(math.Log(float64(1+n)/float64(1+df)) + 1)
}

// sublinear damps repeated features: a word said five times is not five
// times the evidence.
func sublinear(count int32) float64 {
	if int(count) < len(sublinearTable) {
		return sublinearTable[count] // tagging's hot path
	}
	return 1 + math.Log(float64(count))
}

var sublinearTable = func() (t [256]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = 1 + math.Log(float64(c))
	}
	return t
}()

// lexWord is what training keeps of one distinct word.
type lexWord struct {
	text  string
	stem  uint64
	grams []uint64
	vec   wordVector // set once the vocabulary is known
}

// corpus is the training texts tokenized once: per text the sequence of
// distinct-word indices, and the distinct words themselves.
type corpus struct {
	spec  featureSpec
	docs  [][]int32
	sents [][]int32
	words []lexWord
}

func newCorpus(texts []string, spec featureSpec) *corpus {
	c := &corpus{spec: spec, docs: make([][]int32, len(texts)), sents: make([][]int32, len(texts))}
	index := make(map[uint64]int32)
	var (
		tok  tokenizer
		offs []int
	)
	for d, text := range texts {
		tok.split(text)
		doc := make([]int32, tok.len())
		for i := range tok.len() {
			w := tok.word(i)
			k := wordKey(w)
			j, ok := index[k]
			if !ok {
				j = int32(len(c.words))
				index[k] = j
				lw := lexWord{text: string(w), stem: spec.stemKey(w)}
				offs = gramKeys(w, spec.MinN, spec.MaxN, offs, func(key uint64) { lw.grams = append(lw.grams, key) })
				c.words = append(c.words, lw)
			}
			doc[i] = j
		}
		c.docs[d] = doc
		c.sents[d] = slices.Clone(tok.sents)
	}
	return c
}

func (c *corpus) stems(doc []int32, buf []uint64) []uint64 {
	buf = buf[:0]
	for _, j := range doc {
		buf = append(buf, c.words[j].stem)
	}
	return buf
}

// vocab maps the feature keys kept at training to their index and inverse
// document frequency: one table for word features (words, adjacent pairs,
// near pairs) and one for character n-grams.
type vocab struct {
	wordIdx map[uint64]int32
	wordKey []uint64
	wordIDF []float32
	gramIdx map[uint64]int32
	gramKey []uint64
	gramIDF []float32
}

func (v *vocab) numWord() int { return len(v.wordIDF) }
func (v *vocab) numGram() int { return len(v.gramIDF) }

// dim is the length of a feature vector: word features, then n-grams, then
// the constant bias feature.
func (v *vocab) dim() int { return v.numWord() + v.numGram() + 1 }

// buildVocab counts document frequencies over the training texts and keeps
// the features seen in at least MinDF of them.
func (c *corpus) buildVocab() *vocab {
	wordDF := make(map[uint64]int)
	gramDF := make(map[uint64]int)
	inDoc := make(map[uint64]struct{})
	var stems, keys []uint64
	for d, doc := range c.docs {
		stems = c.stems(doc, stems)
		keys = c.spec.appendWordFeatures(stems, c.sents[d], keys[:0], nil)
		clear(inDoc)
		for _, k := range keys {
			inDoc[k] = struct{}{}
		}
		for k := range inDoc {
			wordDF[k]++
		}
		clear(inDoc)
		for _, j := range doc {
			for _, k := range c.words[j].grams {
				inDoc[k] = struct{}{}
			}
		}
		for k := range inDoc {
			gramDF[k]++
		}
	}
	v := new(vocab)
	v.wordIdx, v.wordKey, v.wordIDF = keep(wordDF, len(c.docs), c.spec.MinDF)
	v.gramIdx, v.gramKey, v.gramIDF = keep(gramDF, len(c.docs), c.spec.MinDF)
	for j := range c.words {
		c.words[j].vec = v.charVector(c.words[j].grams)
	}
	return v
}

// keep indexes the keys seen in at least minDF texts, in key order so that
// a model does not depend on map iteration order.
func keep(df map[uint64]int, n, minDF int) (map[uint64]int32, []uint64, []float32) {
	var keys []uint64
	for k, c := range df {
		if c >= minDF {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	idx := make(map[uint64]int32, len(keys))
	idfs := make([]float32, len(keys))
	for i, k := range keys {
		idx[k] = int32(i)
		idfs[i] = idf(n, df[k])
	}
	return idx, keys, idfs
}

// sparse is a feature vector: indices ascending, no repeats.
type sparse struct {
	idx []int32
	val []float32
}

// wordVector is the TF-IDF vector of one word's character n-grams, over
// n-gram indices, and its squared length.
type wordVector struct {
	sparse
	sq float64
}

// charVector computes the n-gram vector of one word from its n-gram keys.
func (v *vocab) charVector(grams []uint64) wordVector {
	var wv wordVector
	for _, k := range grams {
		if j, ok := v.gramIdx[k]; ok {
			wv.idx = append(wv.idx, j)
		}
	}
	slices.Sort(wv.idx)
	wv.val = make([]float32, len(wv.idx))
	n := 0
	for i, j := range wv.idx {
		if n > 0 && wv.idx[n-1] == j {
			wv.val[n-1] += v.gramIDF[j]
			continue
		}
		wv.idx[n] = wv.idx[i]
		wv.val[n] = v.gramIDF[j]
		n++
	}
	wv.idx, wv.val = wv.idx[:n], wv.val[:n]
	for _, x := range wv.val {
		wv.sq += float64(x) * float64(x)
	}
	return wv
}

// vectors computes the training feature vectors. The word block is TF-IDF
// with sublinear term frequency, scaled to length WordWeight. The
// character block is the sum of the words' n-gram vectors, each weighted by
// its word's sublinear count, divided by the square root of the sum of
// their weighted squared lengths, and scaled by CharWeight: TF-IDF over
// n-grams except that n-grams shared by two different words are not pooled
// in the normalisation. That is what lets [Model] score a text word by word
// from per-word scores cached at load time.
func (c *corpus) vectors(v *vocab) []sparse {
	out := make([]sparse, len(c.docs))
	var (
		stems, keys []uint64
		cnt         = make(map[int32]int32)
		wcnt        = make(map[int32]int32)
		acc         = make(map[int32]float64)
		wids        []int32
	)
	for d, doc := range c.docs {
		var x sparse
		stems = c.stems(doc, stems)
		keys = c.spec.appendWordFeatures(stems, c.sents[d], keys[:0], nil)
		clear(cnt)
		for _, k := range keys {
			if j, ok := v.wordIdx[k]; ok {
				cnt[j]++
			}
		}
		var sq float64
		for j := range cnt {
			x.idx = append(x.idx, j)
		}
		slices.Sort(x.idx)
		for _, j := range x.idx {
			f := sublinear(cnt[j]) * float64(v.wordIDF[j])
			x.val = append(x.val, float32(f))
			sq += f * f
		}
		if sq > 0 {
			s := float32(c.spec.WordWeight / math.Sqrt(sq))
			for i := range x.val {
				x.val[i] *= s
			}
		}

		clear(wcnt)
		for _, j := range doc {
			wcnt[j]++
		}
		clear(acc)
		sq = 0
		wids = wids[:0]
		for j := range wcnt {
			wids = append(wids, j)
		}
		slices.Sort(wids) // a fixed order of summation keeps training reproducible
		for _, j := range wids {
			wv := &c.words[j].vec
			f := sublinear(wcnt[j])
			sq += f * f * wv.sq
			for t, g := range wv.idx {
				acc[g] += f * float64(wv.val[t])
			}
		}
		start := len(x.idx)
		off := int32(v.numWord())
		for g := range acc {
			x.idx = append(x.idx, off+g)
		}
		slices.Sort(x.idx[start:])
		s := 0.0
		if sq > 0 {
			s = c.spec.CharWeight / math.Sqrt(sq)
		}
		for _, j := range x.idx[start:] {
			x.val = append(x.val, float32(acc[j-off]*s))
		}
		x.idx = append(x.idx, int32(v.dim()-1))
		x.val = append(x.val, 1)
		out[d] = x
	}
	return out
}
