// Package discover proposes new themes from feedback that no theme fitted:
// it clusters the texts offline and describes each cluster by its most
// telling words, its size and the quotes nearest its centre.
//
// Texts become TF-IDF vectors of their stemmed words and adjacent word
// pairs (lowercased; redaction's placeholders, common English words,
// greetings and sign-offs dropped, and the common words of the text's own
// language when its record names one of six (see Text.Language); each
// word reduced to its stem with [enrich.Stem] so that "card" and "cards"
// count as one; sublinear counts, unit length). Spherical k-means (cosine similarity, k-means++ seeding)
// groups them into more clusters than there are likely topics, k about the
// square root of twice the number of texts; it runs from several fixed
// seeds, so the same input proposes the same themes, and keeps the run
// whose texts lie closest to their centres. Clusters whose centres are
// close (cosine 0.35 or more) are then joined, so that a topic k-means
// split comes back whole, and a cluster smaller than MinSize is not
// proposed. A cluster is named by its two or three heaviest centroid
// terms, each shown in the form its texts use most.
package discover

import (
	"cmp"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// Text is one item to cluster.
type Text struct {
	ID   string
	Text string
	// Language is the text's BCP 47 language tag ("de", "pt-BR"), "" when
	// unknown. A text in German, Spanish, French, Portuguese, Italian or
	// Dutch is read without that language's common words as well as
	// English ones, so that they neither name its cluster nor make it.
	Language string
}

// Candidate is a proposed theme.
type Candidate struct {
	// Name is made of the cluster's heaviest terms, joined by "-".
	Name string
	// Terms are the heaviest centroid terms, heaviest first.
	Terms []string
	// Count is the number of texts in the cluster; Share its part of all.
	Count int
	Share float64
	// Quotes are the sentences of the texts nearest the centre that hold
	// one of its terms (or the texts' starts), at most Options.Quotes.
	Quotes []string
	// IDs are the ids of the texts in the cluster, nearest the centre first.
	IDs []string
	// Description says in a sentence what the candidate covers; empty
	// unless an LLM named it.
	Description string
}

// Named is a name and description for a candidate, from an LLM.
type Named struct {
	Name, Description string
}

// Rename gives each candidate its name in names (and the description),
// where the name is not empty, and returns how many kept their own: those
// given a name that more than half of three candidates or more were
// given. Such a name tells nothing apart (an LLM that called praise,
// widget complaints and everything else "billing"), and JoinSameNames
// would make one theme of them; two clusters of one topic named alike
// are joined as they should be.
func Rename(cands []Candidate, names []Named) (keptApart int) {
	given := map[string]int{} // candidates, by the name key they were given
	for _, n := range names {
		if n.Name != "" {
			given[sameName(n.Name)]++
		}
	}
	for i, n := range names {
		if i >= len(cands) || n.Name == "" {
			continue
		}
		if len(cands) >= 3 && 2*given[sameName(n.Name)] > len(cands) {
			keptApart++
			continue
		}
		cands[i].Name, cands[i].Description = n.Name, n.Description
	}
	return keptApart
}

// sameName is what two names that JoinSameNames takes for one share.
func sameName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// JoinSameNames joins the candidates that share a name (ignoring case),
// such as two clusters of one topic an LLM named alike: the counts and
// shares add up, the ids and terms follow one another, the first quotes of
// each fill up to quotes, and the larger candidate's description stays.
// The result is largest first.
func JoinSameNames(cands []Candidate, quotes int) []Candidate {
	var out []Candidate
	at := map[string]int{}
	for _, c := range cands {
		key := sameName(c.Name)
		i, ok := at[key]
		if !ok {
			at[key] = len(out)
			out = append(out, c)
			continue
		}
		j := &out[i]
		if c.Count > j.Count && c.Description != "" {
			j.Description = c.Description
		}
		j.Count += c.Count
		j.Share += c.Share
		j.IDs = append(slices.Clip(j.IDs), c.IDs...)
		for _, t := range c.Terms {
			if !slices.Contains(j.Terms, t) {
				j.Terms = append(slices.Clip(j.Terms), t)
			}
		}
		j.Quotes = slices.Clip(j.Quotes)
		for _, q := range c.Quotes {
			if len(j.Quotes) >= quotes {
				break
			}
			if !slices.Contains(j.Quotes, q) {
				j.Quotes = append(j.Quotes, q)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// Options tune Suggest; zero values take the defaults noted.
type Options struct {
	// K is the number of clusters k-means makes before close ones are
	// joined; 0 means about sqrt(2n) for n texts, at most 60.
	K int
	// MinSize is the smallest cluster proposed (3).
	MinSize int
	// Quotes per candidate (3).
	Quotes int
	// Seed fixes the clustering (1).
	Seed uint64
	// Restarts is how many times k-means runs, each from its own seeds
	// (Seed, Seed+1, ...); the run whose texts lie closest to their
	// centres wins (10).
	Restarts int
	// MergeAbove joins clusters whose centres have at least this cosine
	// similarity (0.35); above 1, none are joined.
	MergeAbove float64
}

// Suggest clusters texts and returns the candidates, largest first.
func Suggest(texts []Text, opts Options) []Candidate {
	if opts.MinSize <= 0 {
		opts.MinSize = 3
	}
	if opts.Quotes <= 0 {
		opts.Quotes = 3
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Restarts <= 0 {
		opts.Restarts = 10
	}
	if opts.MergeAbove <= 0 {
		opts.MergeAbove = 0.35
	}
	v := vectorize(texts)
	var docs []int // texts with at least one term
	for i, x := range v.docs {
		if len(x) > 0 {
			docs = append(docs, i)
		}
	}
	if len(docs) < opts.MinSize {
		return nil
	}
	k := opts.K
	if k <= 0 {
		k = min(max(int(math.Round(math.Sqrt(2*float64(len(docs))))), 1), 60)
	}
	k = min(k, len(docs))
	// The runs are independent: they share the cores, and the best fit
	// (the sum of each text's cosine to its centre) wins, the earliest
	// seed on a tie, whatever order they finish in.
	type run struct {
		assign    []int
		centroids [][]float64
		fit       float64
	}
	runs := make([]run, opts.Restarts)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for r := range runs {
		g.Go(func() error {
			a, c := kmeans(v, docs, k, opts.Seed+uint64(r))
			var fit float64
			for n, d := range docs {
				fit += cosine(v.docs[d], c[a[n]])
			}
			runs[r] = run{a, c, fit}
			return nil
		})
	}
	_ = g.Wait() // the runs cannot fail
	best := 0
	for r := range runs {
		if runs[r].fit > runs[best].fit {
			best = r
		}
	}
	assign, centroids := runs[best].assign, runs[best].centroids

	mergeClose(v, docs, assign, centroids, opts.MergeAbove)
	var out []Candidate
	for c, centroid := range centroids {
		var members []int
		for n, d := range docs {
			if assign[n] == c {
				members = append(members, d)
			}
		}
		if len(members) < opts.MinSize {
			continue
		}
		top := topTerms(centroid, v.terms, 3)
		terms := make([]string, len(top))
		for i, id := range top {
			terms[i] = v.shown(id)
		}
		slices.SortStableFunc(members, func(a, b int) int { return cmp.Compare(cosine(v.docs[b], centroid), cosine(v.docs[a], centroid)) })
		cand := Candidate{Name: name(terms), Terms: terms,
			Count: len(members), Share: float64(len(members)) / float64(len(texts))}
		stemmed := make([]string, len(top))
		for i, id := range top {
			stemmed[i] = v.terms[id]
		}
		var shown []string // the quotes' gists
		for _, d := range members {
			cand.IDs = append(cand.IDs, texts[d].ID)
			if len(cand.Quotes) < opts.Quotes {
				if q, g := quote(texts[d].Text, stemmed, shown); q != "" {
					shown = append(shown, g)
					cand.Quotes = append(cand.Quotes, q)
				}
			}
		}
		out = append(out, cand)
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// vectors are the texts as sparse TF-IDF vectors over term ids.
type vectors struct {
	terms []string // stemmed words and pairs, joined by a space
	// forms counts, for each term, the lowercased forms its texts wrote
	// it in.
	forms []map[string]int
	docs  []sparse
}

// shown is how a term is written most often ("cards" for the stem
// "card" when its texts mostly say cards); ties go to the form first in
// byte order.
func (v *vectors) shown(id int) string {
	best, n := "", 0
	for f, c := range v.forms[id] {
		if c > n || c == n && f < best {
			best, n = f, c
		}
	}
	return best
}

// name joins the words of the terms by "-", each word once: the terms
// "long time" and "time user" make "long-time-user".
func name(terms []string) string {
	var words []string
	for _, t := range terms {
		for _, w := range strings.Fields(t) {
			if !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	return strings.Join(words, "-")
}

// sparse is a vector as term ids, ascending, and weights: a fixed order of
// summation keeps the clustering the same from run to run.
type sparse []entry

type entry struct {
	id int
	w  float64
}

func vectorize(texts []Text) *vectors {
	v := &vectors{}
	ids := map[string]int{}
	df := map[int]int{}
	counts := make([]map[int]int, len(texts))
	for i, t := range texts {
		lang := enrich.PrimaryLanguage(t.Language)
		words := wordsIn(enrich.DropPlaceholders(t.Text), lang)
		stopword := stopwordsFor(lang)
		c := map[int]int{}
		add := func(term, form string) {
			id, ok := ids[term]
			if !ok {
				id = len(v.terms)
				ids[term] = id
				v.terms = append(v.terms, term)
				v.forms = append(v.forms, map[string]int{})
			}
			v.forms[id][form]++
			if c[id] == 0 {
				df[id]++
			}
			c[id]++
		}
		stems := make([]string, len(words))
		for j, w := range words {
			stems[j] = enrich.Stem(w)
		}
		for j, w := range words {
			if stopword[w] || len(w) < 3 {
				continue
			}
			add(stems[j], w)
			if j+1 < len(words) && !stopword[words[j+1]] && len(words[j+1]) >= 3 {
				add(stems[j]+" "+stems[j+1], w+" "+words[j+1])
			}
		}
		counts[i] = c
	}
	n := float64(len(texts))
	v.docs = make([]sparse, len(texts))
	for i, c := range counts {
		var x sparse
		for id, cnt := range c {
			if df[id] < 2 { // a term of one text cannot make a cluster
				continue
			}
			x = append(x, entry{id, (1 + math.Log(float64(cnt))) * (math.Log((1+n)/(1+float64(df[id]))) + 1)})
		}
		slices.SortFunc(x, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
		var sq float64
		for _, e := range x {
			sq += e.w * e.w
		}
		for j := range x {
			x[j].w /= math.Sqrt(sq)
		}
		v.docs[i] = x
	}
	return v
}

func words(s string) []string { return wordsIn(s, "") }

// wordsIn splits s into lowercased words, as written in language (a
// primary subtag): an apostrophe joins the letters around it ("can't" is
// "cant"), except in the languages that elide with it ("l'export" is "l"
// and "export").
func wordsIn(s, language string) []string {
	if elides[language] {
		s = strings.NewReplacer("'", " ", "’", " ").Replace(s)
	} else {
		s = strings.ReplaceAll(s, "'", "")
	}
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func cosine(x sparse, c []float64) float64 {
	var s float64
	for _, e := range x {
		s += e.w * c[e.id]
	}
	return s
}

// kmeans runs spherical k-means over the docs and returns each doc's
// cluster (by position in docs) and the unit centroids.
func kmeans(v *vectors, docs []int, k int, seed uint64) ([]int, [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	dim := len(v.terms)
	dense := func(x sparse) []float64 {
		c := make([]float64, dim)
		for _, e := range x {
			c[e.id] = e.w
		}
		return c
	}
	// k-means++ seeding on cosine distance.
	centroids := [][]float64{dense(v.docs[docs[rng.IntN(len(docs))]])}
	dist := make([]float64, len(docs))
	for len(centroids) < k {
		var total float64
		for n, d := range docs {
			best := math.Inf(1)
			for _, c := range centroids {
				best = min(best, 1-cosine(v.docs[d], c))
			}
			dist[n] = best * best
			total += dist[n]
		}
		if total == 0 {
			break
		}
		r := rng.Float64() * total
		pick := len(docs) - 1
		for n := range docs {
			if r -= dist[n]; r <= 0 {
				pick = n
				break
			}
		}
		centroids = append(centroids, dense(v.docs[docs[pick]]))
	}
	assign := make([]int, len(docs))
	for iter := 0; iter < 50; iter++ {
		changed := false
		for n, d := range docs {
			best, bestSim := 0, math.Inf(-1)
			for c, cen := range centroids {
				if s := cosine(v.docs[d], cen); s > bestSim {
					best, bestSim = c, s
				}
			}
			if assign[n] != best || iter == 0 {
				changed = changed || assign[n] != best
				assign[n] = best
			}
		}
		for c := range centroids {
			clear(centroids[c])
		}
		for n, d := range docs {
			for _, e := range v.docs[d] {
				centroids[assign[n]][e.id] += e.w
			}
		}
		for _, cen := range centroids {
			toUnit(cen)
		}
		if !changed && iter > 0 {
			break
		}
	}
	return assign, centroids
}

// toUnit scales a centre to length 1; an empty one stays zero.
func toUnit(c []float64) {
	var sq float64
	for _, w := range c {
		sq += w * w
	}
	if sq > 0 {
		for i := range c {
			c[i] /= math.Sqrt(sq)
		}
	}
}

// mergeClose joins, closest first, clusters whose centres have a cosine of
// at least t, and recomputes the joined centre. k-means splits a large
// topic in two when k exceeds the topics, and the halves would be proposed
// as two themes with the same words. A cluster merged into another is
// left empty (no text is assigned to it); assign and centroids change in
// place.
func mergeClose(v *vectors, docs []int, assign []int, centroids [][]float64, t float64) {
	dot := func(a, b []float64) float64 {
		var s float64
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	k := len(centroids)
	// sim[i][j], i < j, is the cosine of two live centres; a join
	// recomputes only the joined cluster's row and column.
	sim := make([][]float64, k)
	for i := range sim {
		sim[i] = make([]float64, k)
		for j := i + 1; j < k; j++ {
			sim[i][j] = dot(centroids[i], centroids[j])
		}
	}
	alive := make([]bool, k)
	for i := range alive {
		alive[i] = true
	}
	for {
		bi, bj, best := -1, -1, t
		for i := range k {
			for j := i + 1; j < k; j++ {
				if alive[i] && alive[j] && sim[i][j] >= best {
					bi, bj, best = i, j, sim[i][j]
				}
			}
		}
		if bi < 0 {
			return
		}
		alive[bj] = false
		for n := range assign {
			if assign[n] == bj {
				assign[n] = bi
			}
		}
		c := centroids[bi]
		clear(c)
		for n, d := range docs {
			if assign[n] == bi {
				for _, e := range v.docs[d] {
					c[e.id] += e.w
				}
			}
		}
		toUnit(c)
		for o := range k {
			if o != bi && alive[o] {
				s := dot(c, centroids[o])
				sim[min(o, bi)][max(o, bi)] = s
			}
		}
	}
}

// topTerms returns the ids of the n heaviest terms of a centroid, leaving
// out a word already inside a heavier pair. Pairs count a fifth more than
// words: a pair as frequent as its words ("dark mode") names a theme
// better.
func topTerms(c []float64, terms []string, n int) []int {
	order := make([]int, len(c))
	for i := range order {
		order[i] = i
	}
	weight := func(id int) float64 {
		if strings.Contains(terms[id], " ") {
			return 1.2 * c[id]
		}
		return c[id]
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weight(b), weight(a)) })
	var out []int
	for _, id := range order {
		if c[id] <= 0 || len(out) == n {
			break
		}
		t := terms[id]
		covered := false
		for _, o := range out {
			if strings.Contains(" "+terms[o]+" ", " "+t+" ") || strings.Contains(" "+t+" ", " "+terms[o]+" ") {
				covered = true
			}
		}
		if !covered {
			out = append(out, id)
		}
	}
	return out
}

// quote returns the sentence of text that holds the most of the terms
// (stemmed, as vectorize makes them), the longest of equals, and its gist.
// It leaves out sentences that say what one already shown says (see
// gist): a title such as "Feedback" that every text of a cluster shares
// would otherwise be its only quote, and "Hi team, the export is slow"
// would follow "The export is slow". With no term in any sentence it is
// the text's start, but only as a cluster's first quote: later ones must
// hold a term. At most 200 bytes; "" when there is no such sentence.
func quote(text string, terms []string, shown []string) (q, g string) {
	text = strings.TrimSpace(text)
	sentences := strings.FieldsFunc(text, func(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '\n' })
	best, bestGist, most, long, held := "", "", 0, 0, false // long: best's words; held: whether any sentence, shown or not, holds a term
	for _, s := range sentences {
		// A quotation's closing mark after its '.' belongs to the
		// sentence before: `… every meeting.” Quinn said`.
		s = strings.TrimLeft(s, " \t\"'”’»)]")
		ws := words(s)
		for i, w := range ws {
			ws[i] = enrich.Stem(w)
		}
		ls, hits := " "+strings.Join(ws, " ")+" ", 0
		for _, t := range terms {
			if strings.Contains(ls, " "+t+" ") {
				hits++
			}
		}
		held = held || hits > 0
		if hits == 0 || hits < most || hits == most && len(ws) <= long {
			continue
		}
		if g := gist(s); !repeats(g, shown) {
			best, bestGist, most, long = clip(strings.TrimSpace(s)), g, hits, len(ws)
		}
	}
	if !held && len(shown) == 0 {
		return clip(text), gist(text)
	}
	return best, bestGist
}

// gist is what a sentence says: its words other than stopwords (greetings
// among them), in order.
func gist(s string) string {
	var kept []string
	for _, w := range words(s) {
		if !stopword[w] {
			kept = append(kept, enrich.Stem(w))
		}
	}
	return " " + strings.Join(kept, " ") + " "
}

// repeats reports whether gist g says what one of shown says, or holds it
// whole, or is held by it. Holding counts only for a gist of at least
// minHeld words: a quote "Slow." must not keep out every sentence about
// slowness.
func repeats(g string, shown []string) bool {
	for _, s := range shown {
		if g == s || holds(g, s) || holds(s, g) {
			return true
		}
	}
	return false
}

const minHeld = 3

// holds reports whether gist a holds gist b, of minHeld words or more.
func holds(a, b string) bool {
	return strings.Count(b, " ")-1 >= minHeld && strings.Contains(a, b)
}

func clip(s string) string {
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
