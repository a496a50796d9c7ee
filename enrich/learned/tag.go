package learned

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// TaggerName is what the model writes to enrich.Item.Tagger.
const TaggerName = "learned"

var _ enrich.Tagger = (*Model)(nil)

// Tag sets the themes of every item from the text of its record (title and
// body), with Tagger "learned" and Model the model's ID. An item no theme
// fits gets none. Tag never fails: the model is local.
func (m *Model) Tag(ctx context.Context, items []*enrich.Item) error {
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if it == nil || it.Record == nil {
			continue
		}
		text := it.Record.Body
		if it.Record.Title != "" {
			text = it.Record.Title + "\n" + text
		}
		it.Themes, it.SetConfidence = m.predict(text)
		it.Tagger = TaggerName
		it.Model = m.file.ID
	}
	return nil
}

// Predict returns the themes of text, most confident first, with their
// ancestors; nil when no theme applies.
func (m *Model) Predict(text string) []enrich.Theme {
	themes, _ := m.predict(text)
	return themes
}

// predict returns the themes of text, as Predict does, and the probability
// that they are exactly the themes that apply (enrich.Item.SetConfidence).
func (m *Model) predict(text string) ([]enrich.Theme, float64) {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	m.score(text, s)
	var set float64
	s.out, set = m.calibration().decide(s.scores, s.probs, m.file.None, s.out[:0])
	if len(s.out) == 0 {
		return nil, set
	}
	themes := make([]enrich.Theme, 0, len(s.out))
	for _, cp := range s.out {
		themes = append(themes, enrich.Theme{
			Name:       m.file.Labels[cp.class],
			Confidence: cp.prob,
			Evidence:   m.evidence(text, s, cp.class),
		})
	}
	for i := range themes {
		for _, a := range m.file.Ancestors[themes[i].Name] {
			themes = addAncestor(themes, a, themes[i])
		}
	}
	return themes, set
}

// addAncestor adds parent a of child to themes, or raises a's confidence
// to the child's, keeping the most confident first.
func addAncestor(themes []enrich.Theme, a string, child enrich.Theme) []enrich.Theme {
	for i := range themes {
		if themes[i].Name == a {
			if child.Confidence > themes[i].Confidence {
				themes[i].Confidence = child.Confidence
				themes[i].Evidence = child.Evidence
			}
			return themes
		}
	}
	themes = append(themes, enrich.Theme{Name: a, Confidence: child.Confidence, Evidence: child.Evidence})
	// Insertion keeps the order stable: the parent lands after its child.
	for i := len(themes) - 1; i > 0 && themes[i].Confidence > themes[i-1].Confidence; i-- {
		themes[i], themes[i-1] = themes[i-1], themes[i]
	}
	return themes
}

func (m *Model) calibration() *calibration {
	return &calibration{temp: m.file.Temp, a: m.file.PlattA, b: m.file.PlattB, threshold: m.file.Threshold}
}

// scratch is the working memory of one Predict call.
type scratch struct {
	tok   tokenizer
	stems []uint64
	// word[i] is the cache row of token i, or -(n+1) for the n-th word
	// worked out on the spot, whose scores are in oov.
	word  []int32
	oov   []float32
	oovSq []float64
	// oovKeys and oovFirst are the keys and first positions of the words
	// worked out on the spot, so that a repeated one is worked out once.
	oovKeys  []uint64
	oovFirst []int
	keys     []uint64
	first    []int32 // index in keys of token i's own word feature
	slot     []int32 // counter slot of keys[i] in ids
	// rec[slot] is where the record of the feature counted in ids' slot
	// starts, -1 if the model lacks it; found lists the slots it has.
	rec   []int32
	found []int32
	// typeSlot[i] is the slot of token i's word in types, whose key is
	// typeKeys[i].
	typeSlot []int32
	typeKeys []uint64
	ids      counter
	types    counter

	acc  []float32
	wacc []float32 // the word block's scores before normalisation
	// The text's word features whose records are dense, and their values.
	dense     []int32
	denseVals []float32
	scores    []float64
	probs     []float64
	out       []classProb
	sink      uint64 // see featTable.prefetch and Model.netHidden
	// Block scales of the last text, for evidence.
	wordScale, charScale float64

	grams   []int32
	offs    []int
	contrib []float64 // per sentence, for evidence

	// The network's hidden layer, one unknown word's share of it, and the
	// input rows of the text's word features with their values.
	hidden, netOOV []float32
	netRows        []int32
	netVals        []float32
	gramRows       []int32 // an unseen word's n-grams' network rows
	gramVals       []float32
}

// score computes the class scores of text into s.scores.
func (m *Model) score(text string, s *scratch) {
	k := m.k
	f := &m.file
	if cap(s.scores) < k {
		s.scores = make([]float64, k)
		s.probs = make([]float64, k)
	}
	s.scores, s.probs = s.scores[:k], s.probs[:k]
	if cap(s.acc) < k {
		s.acc = make([]float32, k)
	}
	s.acc = s.acc[:k]
	copy(s.acc, f.Bias)
	s.tok.split(text)
	n := s.tok.len()
	s.stems, s.word = s.stems[:0], s.word[:0]
	s.oov, s.oovSq = s.oov[:0], s.oovSq[:0]
	s.oovKeys, s.oovFirst = s.oovKeys[:0], s.oovFirst[:0]
	for i := range n {
		w := s.tok.word(i)
		wk := wordKey(w)
		if row := m.cacheIdx.get(wk); row >= 0 {
			s.stems = append(s.stems, m.cacheStem[row])
			s.word = append(s.word, row)
			continue
		}
		if at := slices.Index(s.oovKeys, wk); at >= 0 {
			s.stems = append(s.stems, s.stems[s.oovFirst[at]])
			s.word = append(s.word, -int32(at)-1)
			continue
		}
		s.oovKeys = append(s.oovKeys, wk)
		s.oovFirst = append(s.oovFirst, i)
		s.stems = append(s.stems, f.Spec.stemKey(w))
		s.word = append(s.word, -int32(len(s.oovSq))-1)
		at := len(s.oov)
		s.oov = slices.Grow(s.oov, k)[:at+k]
		s.oovSq = append(s.oovSq, m.wordScores(w, s, s.oov[at:at+k]))
	}

	// Word block: sublinear TF-IDF over the word features, unit length.
	s.first = s.first[:0]
	s.keys = f.Spec.appendWordFeatures(s.stems, s.tok.sents, s.keys[:0], &s.first)
	// Count the distinct features first, then look each up once: the
	// counting stays in the first-level cache while the look-ups, which
	// miss it, no longer hold it up.
	s.ids.reset(len(s.keys))
	s.sink = m.feats.prefetch(s.keys)
	s.slot = s.ids.count(s.keys, s.slot[:0])
	if len(s.rec) < len(s.ids.keys) {
		s.rec = make([]int32, len(s.ids.keys))
	}
	s.found = s.found[:0]
	for _, slot := range s.ids.slots {
		j := m.feats.find(s.ids.keys[slot])
		s.rec[slot] = j
		if j >= 0 {
			s.found = append(s.found, slot)
		}
	}
	s.sink += m.feats.prefetchRecords(s.rec, s.found)
	// The character block needs none of those records: adding it first
	// gives their loads time to arrive.
	m.addCharBlock(s, n)
	m.addWordBlock(s)
	for c, v := range s.acc {
		s.scores[c] = float64(v)
	}
	if m.net != nil {
		m.blendNet(s)
	}
}

// addWordBlock adds the word block to s.acc: sublinear TF-IDF over the
// text's word features that the model has (s.found), unit length. One
// pass: the block's weighted sum before normalisation goes to wacc, which
// is scaled once its length is known.
func (m *Model) addWordBlock(s *scratch) {
	k := m.k
	// Room for the classes a dense record pads to, and for featTable.addRow.
	if n := max(k, 256); len(s.wacc) < n {
		s.wacc = make([]float32, n)
	}
	clear(s.wacc)
	var sq float64
	s.dense, s.denseVals = s.dense[:0], s.denseVals[:0]
	for _, slot := range s.found {
		j := s.rec[slot]
		v := sublinear(s.ids.counts[slot]) * float64(m.feats.idf(j))
		sq += v * v
		if m.feats.dense(j) {
			s.dense = append(s.dense, j)
			s.denseVals = append(s.denseVals, float32(v))
			continue
		}
		m.feats.addRow(s.wacc, float32(v), j)
	}
	m.feats.addRows(s.wacc, s.dense, s.denseVals)
	s.wordScale = 0
	if sq > 0 {
		s.wordScale = m.file.Spec.WordWeight / math.Sqrt(sq)
	}
	addRowVec(s.acc, float32(s.wordScale), s.wacc[:k])
}

// addCharBlock adds the character block to s.acc: the cached n-gram
// scores of the text's n words, weighted by their sublinear counts.
func (m *Model) addCharBlock(s *scratch, n int) {
	s.types.reset(n)
	s.typeKeys = s.typeKeys[:0]
	for _, ref := range s.word[:n] {
		s.typeKeys = append(s.typeKeys, refKey(ref))
	}
	s.typeSlot = s.types.count(s.typeKeys, s.typeSlot[:0])
	var sq float64
	for _, slot := range s.types.slots {
		c := sublinear(s.types.counts[slot])
		sq += c * c * m.wordSq(s, keyRef(s.types.keys[slot]))
	}
	s.charScale = 0
	if sq > 0 {
		s.charScale = m.file.Spec.CharWeight / math.Sqrt(sq)
	}
	for _, slot := range s.types.slots {
		c := float32(s.charScale * sublinear(s.types.counts[slot]))
		addRowVec(s.acc, c, m.wordRow(s, keyRef(s.types.keys[slot])))
	}
}

// refKey and keyRef map a word reference to a non-zero counter key and
// back.
func refKey(ref int32) uint64 { return uint64(uint32(ref)) + 1 }
func keyRef(key uint64) int32 { return int32(uint32(key - 1)) }

func (m *Model) wordSq(s *scratch, ref int32) float64 {
	if ref >= 0 {
		return m.cacheSq[ref]
	}
	return s.oovSq[-ref-1]
}

func (m *Model) wordRow(s *scratch, ref int32) []float32 {
	if ref >= 0 {
		return m.cacheScore[int(ref)*m.k : int(ref+1)*m.k]
	}
	at := int(-ref-1) * m.k
	return s.oov[at : at+m.k]
}

// addRow adds a*row to acc; it is where tagging spends its time.
func addRow(acc []float32, a float32, row []float32) {
	row = row[:len(acc)]
	c := 0
	for ; c+4 <= len(row); c += 4 {
		r, o := row[c:c+4:c+4], acc[c:c+4:c+4]
		o[0] += a * r[0]
		o[1] += a * r[1]
		o[2] += a * r[2]
		o[3] += a * r[3]
	}
	for ; c < len(row); c++ {
		acc[c] += a * row[c]
	}
}

// evidence returns the sentence of text whose words (with their n-grams)
// contribute most to class c's score, or the whole text when it is one
// sentence. Sentences are the tokenizer's: they end at a line break or at
// ., ! or ? before a space. It relies on the state score left in s.
func (m *Model) evidence(text string, s *scratch, c int) string {
	starts := s.tok.sentStarts
	if len(starts) <= 1 {
		return strings.TrimSpace(text)
	}
	// Each sentence's share of the class score (for an exclusive model, of
	// how far the class's score stands above the median class's): its
	// words' own features and their n-grams.
	sum := s.contrib[:0]
	for range starts {
		sum = append(sum, 0)
	}
	s.contrib = sum
	for i, t := range s.first {
		// Only the words themselves: pairs would cost as much as the
		// whole scoring again and rarely change which sentence wins.
		v := 0.0
		if j := s.rec[s.slot[t]]; j >= 0 {
			cnt := s.ids.counts[s.slot[t]]
			v = s.wordScale * sublinear(cnt) * float64(m.feats.idf(j)) / float64(cnt) * float64(m.feats.weight(j, c))
		}
		cnt := s.types.counts[s.typeSlot[i]]
		v += s.charScale * sublinear(cnt) / float64(cnt) * float64(m.wordRow(s, s.word[i])[c])
		sum[s.tok.sents[i]] += v
	}
	best := 0
	for si := range sum {
		if sum[si] > sum[best] {
			best = si
		}
	}
	end := len(text)
	if best+1 < len(starts) {
		end = starts[best+1]
	}
	return strings.TrimSpace(text[starts[best]:end])
}

// counter counts small sets of non-zero keys with open addressing; it
// remembers the slots it used so that a reset costs what was used.
type counter struct {
	keys   []uint64
	counts []int32
	slots  []int32
}

func (c *counter) reset(n int) {
	size := 16
	for size < 4*n { // at most a quarter full: short probe chains
		size <<= 1
	}
	if len(c.keys) < size {
		c.keys = make([]uint64, size)
		c.counts = make([]int32, size)
	} else {
		for _, s := range c.slots {
			c.keys[s], c.counts[s] = 0, 0
		}
	}
	c.slots = c.slots[:0]
}

// count counts each of keys, key 0 as 1, and appends its slot to slot.
func (c *counter) count(keys []uint64, slot []int32) []int32 {
	table, counts, slots := c.keys, c.counts, c.slots
	counts = counts[:len(table)]
	mask := uint64(len(table) - 1)
	for _, key := range keys {
		key = max(key, 1)
		// Fibonacci hashing: enough for what is counted here (feature
		// keys, which are hashes already, and small word references), and
		// cheaper than a full mix.
		i := (key * fibMul >> 32) & mask
		for table[i] != key && table[i] != 0 {
			i = (i + 1) & mask
		}
		if table[i] == 0 {
			table[i] = key
			slots = append(slots, int32(i))
		}
		counts[i]++
		slot = append(slot, int32(i))
	}
	c.slots = slots
	return slot
}
