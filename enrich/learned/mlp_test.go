package learned

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// netExamples makes exclusive data whose classes share most words, so that
// many texts are near ties, with sentences, repeated words and digits.
func netExamples(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 5))
	shared := strings.Fields("my card payment transfer top up account money pending failed charged app today still")
	own := [][]string{
		strings.Fields("declined refused rejected"),
		strings.Fields("twice double duplicate"),
		strings.Fields("rate exchange currency"),
		strings.Fields("arrive delivery post"),
	}
	var out []Example
	for range n {
		c := rng.IntN(len(own))
		var words []string
		for range 3 + rng.IntN(8) {
			words = append(words, shared[rng.IntN(len(shared))])
		}
		words = append(words, own[c][rng.IntN(3)])
		if rng.IntN(3) == 0 {
			words = append(words, own[rng.IntN(len(own))][rng.IntN(3)])
		}
		rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		text := strings.Join(words[:len(words)/2], " ") + ". " + strings.Join(words[len(words)/2:], " ") + fmt.Sprintf(" %d", rng.IntN(50))
		out = append(out, Example{Text: text, Labels: []string{fmt.Sprintf("c%d", c)}})
	}
	return out
}

// trainWithNet trains on ex with the network blended in.
func trainWithNet(t *testing.T, ex []Example) *Model {
	t.Helper()
	m, err := Train(context.Background(), ex, TrainOptions{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.net == nil || m.Info().Net == 0 {
		t.Fatal("the model has no network")
	}
	return m
}

// TestNetHiddenLayerMatchesTraining checks that the hidden layer tagging
// computes from a text's words equals the one the network computes from
// the feature vector training builds, for training texts and for texts
// with words training never saw.
func TestNetHiddenLayerMatchesTraining(t *testing.T) {
	train := netExamples(400, 1)
	m := trainWithNet(t, train)
	f := m.file.Net
	ref := &mlpNet{h: f.Hidden, k: m.k, w1: f.W1.floats(f.Hidden), b1: f.B1, w2: f.W2, b2: f.B2}
	ref.in = append(append(append(ref.in, f.WordRow...), f.GramRow...), f.BiasRow)

	texts := func(ex []Example) []string {
		var out []string
		for _, e := range ex {
			out = append(out, e.Text)
		}
		return out
	}
	corp := newCorpus(texts(train), m.file.Spec)
	voc := corp.buildVocab()
	unseen := texts(netExamples(50, 2))
	for i := range unseen {
		unseen[i] += " zebrafish declinedd dupl1cate"
	}
	other := newCorpus(unseen, m.file.Spec)
	for j := range other.words {
		other.words[j].vec = voc.charVector(other.words[j].grams)
	}
	all := append(texts(train), unseen...)
	x := append(corp.vectors(voc), other.vectors(voc)...)

	s := new(scratch)
	got := make([]float32, f.Hidden)
	want := make([]float32, f.Hidden)
	active := 0
	for i, text := range all {
		m.score(text, s)
		m.netHidden(s, got)
		ref.hidden(x[i], want)
		for u := range got {
			if math.Abs(float64(got[u]-want[u])) > 1e-4*(1+math.Abs(float64(want[u]))) {
				t.Fatalf("text %d %q: hidden unit %d is %g when tagging, %g from training's vector", i, text, u, got[u], want[u])
			}
			if want[u] > 0 {
				active++
			}
		}
	}
	if active == 0 {
		t.Fatal("no hidden unit is ever active: the comparison proves nothing")
	}
}

// TestNetBlendsOnlyWhereItCanChangeTheWinner checks that skipping the
// network when the runner-up is at least its weight behind gives the
// same winner as blending every text, and that the blend does change
// some winners on this data. The weight is raised so that the network
// overturns more of them.
func TestNetBlendsOnlyWhereItCanChangeTheWinner(t *testing.T) {
	m := trainWithNet(t, netExamples(400, 3))
	m.net.weight = 4
	s := new(scratch)
	hid := make([]float32, m.net.h)
	p := make([]float64, m.k)
	changed := 0
	for _, e := range netExamples(300, 4) {
		net := m.net
		m.net = nil
		m.score(e.Text, s)
		m.net = net
		svm := argmaxF(s.scores)
		m.netHidden(s, hid)
		net.output(hid, p)
		for c := range p {
			s.scores[c] += net.weight * p[c]
		}
		want := m.file.Labels[argmaxF(s.scores)]
		if got := m.Predict(e.Text); len(got) == 0 || got[0].Name != want {
			t.Fatalf("%q: tagged %v, the full blend picks %s", e.Text, got, want)
		}
		if m.file.Labels[svm] != want {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("the network changed no winner: the comparison proves nothing")
	}
}

func TestNetSurvivesSaveAndLoad(t *testing.T) {
	m := trainWithNet(t, netExamples(300, 5))
	var buf bytes.Buffer
	if err := m.write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.net == nil {
		t.Fatal("the loaded model lost its network")
	}
	for _, e := range netExamples(100, 6) {
		a, b := m.Predict(e.Text), back.Predict(e.Text)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%q: %v before saving, %v after loading", e.Text, a, b)
		}
	}
}

// A model file whose network points outside its weights is refused, not
// read into a panic at tagging.
func TestLoadRejectsABrokenNetwork(t *testing.T) {
	m := trainWithNet(t, netExamples(200, 7))
	for _, bad := range []int32{-7, int32(len(m.file.Net.W1.Scale))} {
		f := m.file
		net := *f.Net
		net.GramRow = append([]int32{bad}, net.GramRow[1:]...)
		f.Net = &net
		broken := &Model{file: f}
		var buf bytes.Buffer
		if err := broken.write(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := read(&buf); err == nil || !strings.Contains(err.Error(), "network") {
			t.Errorf("row %d: error %v, want one about the network", bad, err)
		}
	}
}

func argmaxF(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// TestAddRowsQ checks the hidden layer's row sums (in assembly on amd64
// with AVX2) against the plain Go loop.
func TestAddRowsQ(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const h, nrows = 64, 50
	w := make([]float64, nrows*h)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	q := quantize(w, nrows, h)
	for _, n := range []int{0, 1, 7, 300} {
		rows := make([]int32, n)
		vals := make([]float32, n)
		for i := range rows {
			rows[i] = int32(rng.IntN(nrows))
			vals[i] = float32(rng.NormFloat64())
		}
		got := make([]float32, h)
		want := make([]float32, h)
		for u := range got {
			got[u] = float32(u)
			want[u] = float32(u)
		}
		addRowsQ(got, q, rows, vals)
		addRowsQGeneric(want, q, rows, vals)
		for u := range got {
			if math.Abs(float64(got[u]-want[u])) > 1e-4*(1+math.Abs(float64(want[u]))) {
				t.Fatalf("%d rows: sum %d is %g, want %g", n, u, got[u], want[u])
			}
		}
	}
}
