package learned

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
)

// netWeight is what an exclusive model multiplies its network's class
// probabilities by before adding them to its SVM scores (see
// [TrainOptions.NoNetwork]). On the BANKING77 development folds, weights
// from 0.25 to 1 did equally well.
const netWeight = 0.5

// netGate is how close the runner-up must come to the SVM's winner for
// tagging to compute the network at all. The network's weighted
// probabilities could change a winner up to netWeight ahead, but on the
// BANKING77 development folds the winners it changed further than 0.075
// ahead were as often wrong as right: accuracy was the same (0.9146-0.9148)
// for every gate from 0.075 to 0.5, and fell below it at 0.05 (0.9138).
// The gate is a speed setting within that flat stretch, a third above its
// knee: at 0.1, the benchmark's 300-character texts reach the network 3.2
// times less often than at 0.5 (23% of them against 73%), and tagging
// them takes 4% less time than at 0.15.
const netGate = 0.1

// mlpParams sets up the hidden-layer network that exclusive models blend
// into their SVM scores.
type mlpParams struct {
	Hidden int     // hidden ReLU units
	Epochs int     // passes over the data
	Batch  int     // texts per gradient step
	Rate   float64 // Adam's step size
	Alpha  float64 // L2 penalty, per batch as in the usual formulation
	MinDF  int     // features seen in fewer training texts are left out
	Seed   uint64
}

func defaultMLPParams(seed uint64) mlpParams {
	return mlpParams{Hidden: 64, Epochs: 15, Batch: 200, Rate: 0.001, Alpha: 1e-4, MinDF: 2, Seed: seed}
}

// mlpNet is a softmax classifier with one hidden layer of ReLU units over
// the same sparse features as the SVMs.
type mlpNet struct {
	h, k int
	in   []int32   // in[j] is feature j's row of w1, -1 when the net ignores it
	w1   []float32 // rows × h
	b1   []float32 // h
	w2   []float32 // h × k
	b2   []float32 // k
}

// hidden computes the hidden layer's activations for x into a.
func (n *mlpNet) hidden(x sparse, a []float32) {
	h := n.h
	copy(a, n.b1)
	for t, j := range x.idx {
		r := n.in[j]
		if r < 0 {
			continue
		}
		addRow(a, x.val[t], n.w1[int(r)*h:int(r)*h+h])
	}
	relu(a)
}

// relu sets the negative activations of a to zero.
func relu(a []float32) {
	for u, z := range a {
		if z < 0 {
			a[u] = 0
		}
	}
}

// output turns hidden activations a into class probabilities.
func (n *mlpNet) output(a []float32, p []float64) { netOutput(a, n.w2, n.b2, p, addRow) }

// netOutput turns hidden activations a into class probabilities p through
// the output layer's weights w2 (hidden × classes) and biases b2. The
// logits are summed in float32, a row of w2 at a time, by add: addRow in
// training, addRowVec in tagging.
func netOutput(a, w2, b2 []float32, p []float64, add func(acc []float32, a float32, row []float32)) {
	k := len(p)
	var buf [256]float32
	var acc []float32
	if k <= len(buf) {
		acc = buf[:k]
	} else {
		acc = make([]float32, k)
	}
	copy(acc, b2)
	for u, au := range a {
		if au != 0 {
			add(acc, au, w2[u*k:u*k+k])
		}
	}
	for c, z := range acc {
		p[c] = float64(z)
	}
	softmaxInPlace(p)
}

func softmaxInPlace(p []float64) {
	m := math.Inf(-1)
	for _, v := range p {
		m = max(m, v)
	}
	sum := 0.0
	for c, v := range p {
		e := math.Exp(v - m)
		p[c] = e
		sum += e
	}
	for c := range p {
		p[c] /= sum
	}
}

const (
	adamB1  = 0.9
	adamB2  = 0.999
	adamEps = 1e-8
)

// adamStep applies the summed gradient g to weights w with Adam, whose
// moments are m and v: the gradient is first averaged over the batch
// (times inv) with the L2 penalty alpha added, and g is cleared for the
// next batch. lr is the step size with Adam's bias corrections.
func adamStep(w, g, m, v []float32, alpha, inv, lr float32) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	for i := range w {
		gi := (g[i] + alpha*w[i]) * inv
		g[i] = 0
		mi := adamB1*m[i] + (1-adamB1)*gi
		vi := adamB2*v[i] + (1-adamB2)*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= lr * mi / (float32(math.Sqrt(float64(vi))) + adamEps)
	}
}

// trainMLP fits the network to texts x with classes y by minibatch Adam on
// the cross-entropy, as scikit-learn's MLPClassifier does, except that a
// batch updates only the input rows of the features its texts have (rows
// of other features keep their moments until they are next used).
//
// Each batch runs in two parallel phases: the texts, split between the
// workers, go forward and back to the hidden layer's error; then each
// worker accumulates and applies the gradients of its own share of the
// hidden units. Every sum runs in the same order whatever the number of
// workers, so training is reproducible.
func trainMLP(ctx context.Context, x []sparse, y []int, k, dim int, par mlpParams, workers int) (*mlpNet, error) {
	h := par.Hidden
	net := &mlpNet{h: h, k: k, in: make([]int32, dim)}
	df := make([]int, dim)
	for _, xi := range x {
		for _, j := range xi.idx {
			df[j]++
		}
	}
	rows := 0
	for j := range net.in {
		net.in[j] = -1
		if df[j] >= par.MinDF {
			net.in[j] = int32(rows)
			rows++
		}
	}
	rng := rand.New(rand.NewPCG(par.Seed, 0x9e3779b97f4a7c15))
	uniform := func(w []float32, fanIn, fanOut int) {
		b := math.Sqrt(6 / float64(fanIn+fanOut))
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * b)
		}
	}
	net.w1 = make([]float32, rows*h)
	net.b1 = make([]float32, h)
	net.w2 = make([]float32, h*k)
	net.b2 = make([]float32, k)
	uniform(net.w1, rows, h)
	uniform(net.b1, rows, h)
	uniform(net.w2, h, k)
	uniform(net.b2, h, k)
	type moments struct{ g, m, v []float32 }
	mom := func(n int) moments { return moments{make([]float32, n), make([]float32, n), make([]float32, n)} }
	o1, ob1, o2, ob2 := mom(len(net.w1)), mom(h), mom(len(net.w2)), mom(k)

	workers = max(1, min(workers, h))
	batch := par.Batch
	acts := make([]float32, batch*h) // hidden activations per text of the batch
	errs := make([]float32, batch*h) // the loss's gradient at the hidden units' input
	outs := make([]float32, batch*k) // and at the output layer's
	type worker struct {
		p       []float64
		marked  []bool
		touched []int32
	}
	ws := make([]worker, workers)
	for w := range ws {
		ws[w] = worker{p: make([]float64, k), marked: make([]bool, rows)}
	}

	n := len(x)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	step := 0
	var wg sync.WaitGroup
	run := func(fn func(w int)) {
		wg.Add(workers)
		for w := range workers {
			go func() {
				defer wg.Done()
				fn(w)
			}()
		}
		wg.Wait()
	}
	for range par.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for lo := 0; lo < n; lo += batch {
			texts := order[lo:min(lo+batch, n)]
			step++
			inv := float32(1 / float64(len(texts)))
			lr := float32(par.Rate * math.Sqrt(1-math.Pow(adamB2, float64(step))) / (1 - math.Pow(adamB1, float64(step))))
			alpha := float32(par.Alpha)
			// Forward and back to the hidden layer, texts split by worker.
			run(func(w int) {
				p := ws[w].p
				for b := w; b < len(texts); b += workers {
					i := texts[b]
					a := acts[b*h : b*h+h]
					net.hidden(x[i], a)
					net.output(a, p)
					dl := outs[b*k : b*k+k]
					for c := range dl {
						dl[c] = float32(p[c])
					}
					dl[y[i]]--
					dz := errs[b*h : b*h+h]
					for u, au := range a {
						dz[u] = 0
						if au == 0 {
							continue // ReLU: no gradient through an inactive unit
						}
						row := net.w2[u*k : u*k+k]
						row = row[:len(dl)]
						s := float32(0)
						for c, d := range dl {
							s += row[c] * d
						}
						dz[u] = s
					}
				}
			})
			// Gradients and updates, hidden units split by worker.
			run(func(w int) {
				ulo, uhi := w*h/workers, (w+1)*h/workers
				wk := &ws[w]
				for b, i := range texts {
					dz := errs[b*h+ulo : b*h+uhi]
					for u := range dz {
						ob1.g[ulo+u] += dz[u]
					}
					a := acts[b*h : b*h+h]
					dl := outs[b*k : b*k+k]
					for u := ulo; u < uhi; u++ {
						if a[u] != 0 {
							addRow(o2.g[u*k:u*k+k], a[u], dl)
						}
					}
					xi := x[i]
					for t, j := range xi.idx {
						r := net.in[j]
						if r < 0 {
							continue
						}
						if !wk.marked[r] {
							wk.marked[r] = true
							wk.touched = append(wk.touched, r)
						}
						addRow(o1.g[int(r)*h+ulo:int(r)*h+uhi], xi.val[t], dz)
					}
				}
				for _, r := range wk.touched {
					a, b := int(r)*h+ulo, int(r)*h+uhi
					adamStep(net.w1[a:b], o1.g[a:b], o1.m[a:b], o1.v[a:b], alpha, inv, lr)
					wk.marked[r] = false
				}
				wk.touched = wk.touched[:0]
				adamStep(net.b1[ulo:uhi], ob1.g[ulo:uhi], ob1.m[ulo:uhi], ob1.v[ulo:uhi], 0, inv, lr)
				a, b := ulo*k, uhi*k
				adamStep(net.w2[a:b], o2.g[a:b], o2.m[a:b], o2.v[a:b], alpha, inv, lr)
			})
			for b := range texts {
				for c, d := range outs[b*k : b*k+k] {
					ob2.g[c] += d
				}
			}
			adamStep(net.b2, ob2.g, ob2.m, ob2.v, 0, inv, lr)
		}
	}
	return net, nil
}

// netFile is the network as a model file holds it: its input rows by the
// model's own feature order, the input weights quantized per row.
type netFile struct {
	// Weight is what its probabilities are multiplied by before they are
	// added to the SVM's scores.
	Weight float64
	// Gate: the network is computed only for texts whose runner-up is
	// less than Gate behind the winner; 0, as in files written before it
	// existed, means Weight (every text whose winner it can change).
	Gate    float64
	Hidden  int
	WordRow []int32 // per word feature, its row of W1; -1 for none
	GramRow []int32 // per n-gram, likewise
	BiasRow int32   // the constant feature's row, -1 for none
	W1      quantized
	B1      []float32
	W2      []float32 // Hidden × classes
	B2      []float32
}

// file lays the trained network out by the model's feature order: numWord
// word features, numGram n-grams, then the bias feature.
func (n *mlpNet) file(numWord, numGram int, weight, gate float64) *netFile {
	w1 := make([]float64, len(n.w1))
	for i, v := range n.w1 {
		w1[i] = float64(v)
	}
	return &netFile{
		Weight:  weight,
		Gate:    gate,
		Hidden:  n.h,
		WordRow: n.in[:numWord],
		GramRow: n.in[numWord : numWord+numGram],
		BiasRow: n.in[numWord+numGram],
		W1:      quantize(w1, len(n.w1)/n.h, n.h),
		B1:      n.b1,
		W2:      n.w2,
		B2:      n.b2,
	}
}

// valid reports whether the file's parts agree with each other and with a
// model of numWord word features, numGram n-grams and k classes.
func (f *netFile) valid(numWord, numGram, k int) bool {
	h := f.Hidden
	rows := len(f.W1.Scale)
	inRange := func(rs ...int32) bool {
		for _, r := range rs {
			if r < -1 || r >= int32(rows) {
				return false
			}
		}
		return true
	}
	return h > 0 && f.Weight > 0 && f.Gate >= 0 && len(f.WordRow) == numWord && len(f.GramRow) == numGram &&
		len(f.W1.Q) == rows*h && len(f.B1) == h && len(f.W2) == h*k && len(f.B2) == k &&
		inRange(f.BiasRow) && inRange(f.WordRow...) && inRange(f.GramRow...)
}

// netTagger is what tagging needs of a model's network.
type netTagger struct {
	f      *netFile
	h      int
	weight float64
	gate   float64 // at most weight
	// cacheHidden holds, per training word (the model's cacheIdx order),
	// its n-gram vector times W1.
	cacheHidden []float32
}

// addRowQ adds a times row r of q to acc, as wide as a row.
func addRowQ(acc []float32, a float32, q quantized, r int32) {
	h := len(acc)
	a *= q.Scale[r]
	row := q.Q[int(r)*h : int(r)*h+h]
	row = row[:len(acc)]
	for u := range acc {
		acc[u] += a * float32(row[u])
	}
}

// addRowsQGeneric is addRowsQ in Go.
func addRowsQGeneric(hid []float32, q quantized, rows []int32, vals []float32) {
	for i, r := range rows {
		addRowQ(hid, vals[i], q, r)
	}
}

func newNetTagger(f *netFile) *netTagger {
	gate := f.Weight
	if f.Gate > 0 {
		gate = min(f.Gate, f.Weight)
	}
	return &netTagger{f: f, h: f.Hidden, weight: f.Weight, gate: gate}
}

// blendNet adds the network's probabilities, times its weight, to the
// scores of the text score has just scored, when the runner-up is less
// than the gate behind the winner. A probability is at most 1, so a gate
// equal to the weight blends every text whose winner the network can
// change; the trainer's smaller gate (netGate) leaves out those where it
// changed as many winners for the worse as for the better. Other texts,
// most of them, skip the network.
func (m *Model) blendNet(s *scratch) {
	nt := m.net
	if first, second := topTwo(s.scores); first-second >= nt.gate {
		return
	}
	if cap(s.hidden) < nt.h {
		s.hidden = make([]float32, nt.h)
	}
	hid := s.hidden[:nt.h]
	m.netHidden(s, hid)
	p := s.probs
	nt.output(hid, p)
	for c, v := range p {
		s.scores[c] += nt.weight * v
	}
}

// netHidden computes the hidden layer's activations for the text score
// has just scored, from the state it left in s: the same sparse vector
// training used, built from the word block's features and scale and from
// the n-gram vectors of the text's words.
func (m *Model) netHidden(s *scratch, hid []float32) {
	nt := m.net
	f := nt.f
	if cap(s.netOOV) < nt.h {
		s.netOOV = make([]float32, nt.h)
	}
	copy(hid, f.B1)
	if f.BiasRow >= 0 {
		addRowQ(hid, 1, f.W1, f.BiasRow)
	}
	// The rows are looked up, then touched, then added: each step's
	// cache misses are independent of each other and overlap.
	s.netRows, s.netVals = s.netRows[:0], s.netVals[:0]
	for _, slot := range s.found {
		j := s.rec[slot]
		if r := m.feats.netRow(j); r >= 0 {
			s.netRows = append(s.netRows, r)
			s.netVals = append(s.netVals, float32(s.wordScale*sublinear(s.ids.counts[slot])*float64(m.feats.idf(j))))
		}
	}
	var touch uint8
	for _, r := range s.netRows {
		touch += uint8(f.W1.Q[int(r)*nt.h])
	}
	s.sink += uint64(touch) // kept, so that the loads are too
	addRowsQ(hid, f.W1, s.netRows, s.netVals)
	for _, slot := range s.types.slots {
		c := float32(s.charScale * sublinear(s.types.counts[slot]))
		ref := keyRef(s.types.keys[slot])
		var row []float32
		if ref >= 0 {
			row = nt.cacheHidden[int(ref)*nt.h : int(ref+1)*nt.h]
		} else {
			row = s.netOOV[:nt.h]
			m.netWordHidden(s.tok.word(s.oovFirst[-ref-1]), s, row)
		}
		addRowVec(hid, c, row)
	}
	relu(hid)
}

// netWordHidden writes into out one word's n-gram vector times W1.
func (m *Model) netWordHidden(w []byte, s *scratch, out []float32) {
	f := m.net.f
	clear(out)
	s.gramRows, s.gramVals = s.gramRows[:0], s.gramVals[:0]
	m.wordGrams(w, s, func(j int32, v float32) {
		if r := f.GramRow[j]; r >= 0 {
			s.gramRows = append(s.gramRows, r)
			s.gramVals = append(s.gramVals, v)
		}
	})
	addRowsQ(out, f.W1, s.gramRows, s.gramVals)
}

// output turns hidden activations into class probabilities.
func (nt *netTagger) output(hid []float32, p []float64) {
	netOutput(hid, nt.f.W2, nt.f.B2, p, addRowVec)
}

// topTwo returns the highest and second-highest of v.
func topTwo(v []float64) (first, second float64) {
	first, second = math.Inf(-1), math.Inf(-1)
	for _, x := range v {
		if x > first {
			first, second = x, first
		} else if x > second {
			second = x
		}
	}
	return first, second
}
