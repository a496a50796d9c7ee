package learned

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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
	m, err := Train(context.Background(), ex, TrainOptions{})
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

// TestNetBlendsOnlyNearTies checks that tagging blends the network into
// exactly the texts whose runner-up is less than the gate behind: with
// the gate at the weight it picks the same winner as blending every text;
// with a smaller gate, texts beyond it keep the SVM's winner even where
// the blend would change it. The weight is raised so that the network
// overturns more winners, and each case must occur or the comparison
// proves nothing.
func TestNetBlendsOnlyNearTies(t *testing.T) {
	m := trainWithNet(t, netExamples(400, 3))
	s := new(scratch)
	hid := make([]float32, m.net.h)
	p := make([]float64, m.k)
	for _, gate := range []float64{4, 0.1} {
		m.net.weight, m.net.gate = 4, gate
		changed, kept := 0, 0
		for _, e := range netExamples(300, 4) {
			net := m.net
			m.net = nil
			m.score(e.Text, s)
			m.net = net
			svm := argmaxF(s.scores)
			first, second := topTwo(s.scores)
			m.netHidden(s, hid)
			net.output(hid, p)
			for c := range p {
				s.scores[c] += net.weight * p[c]
			}
			blend := argmaxF(s.scores)
			want := blend
			if first-second >= gate {
				want = svm
				if blend != svm {
					kept++
				}
			} else if blend != svm {
				changed++
			}
			if got := m.Predict(e.Text); len(got) == 0 || got[0].Name != m.file.Labels[want] {
				t.Fatalf("gate %g, %q: tagged %v, want %s", gate, e.Text, got, m.file.Labels[want])
			}
		}
		if changed == 0 || (gate < 4 && kept == 0) {
			t.Fatalf("gate %g: the network changed %d winners within the gate and would have changed %d beyond it: the comparison proves nothing", gate, changed, kept)
		}
	}
}

func TestNetSurvivesSaveAndLoad(t *testing.T) {
	m := trainWithNet(t, netExamples(300, 5))
	back := saveAndLoad(t, m)
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

// saveAndLoad writes m to a file's bytes and reads it back.
func saveAndLoad(t *testing.T, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// A model file written before the gate existed holds none: its network
// blends, as it did then, wherever it can change the winner.
func TestNetWithoutAGateBlendsWhereverItCan(t *testing.T) {
	m := trainWithNet(t, netExamples(200, 8))
	if m.net.gate != netGate {
		t.Fatalf("a new model's gate is %g, want %g", m.net.gate, netGate)
	}
	m.file.Net.Gate = 0
	back := saveAndLoad(t, m)
	if back.net.gate != back.net.weight {
		t.Fatalf("without a gate in the file the gate is %g, want the weight %g", back.net.gate, back.net.weight)
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

// TestAddRowVec checks tagging's row addition (in assembly on amd64 with
// AVX2) against addRow for lengths that end inside and outside a group
// of eight, and that it writes nothing past acc.
func TestAddRowVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 77} {
		row := make([]float32, n+3)
		got := make([]float32, n+3)
		for i := range row {
			row[i] = float32(rng.NormFloat64())
			got[i] = float32(rng.NormFloat64())
		}
		want := slices.Clone(got)
		a := float32(rng.NormFloat64())
		addRowVec(got[:n], a, row)
		addRow(want[:n], a, row)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("length %d: element %d is %g, want %g", n, i, got[i], want[i])
			}
		}
	}
}
