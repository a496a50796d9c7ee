package learned

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// TrainOptions tunes training. The zero value is ready to use: model
// hyperparameters are internal cross-validation's to choose, and only
// NoNetwork trades one quality for another.
type TrainOptions struct {
	// Ancestors returns the ancestors of a theme. The model records them
	// for every label so that a predicted theme also counts for its
	// ancestors. Nil when themes have no parents.
	Ancestors func(theme string) []string
	// Workers bounds the goroutines that train in parallel; 0 means
	// GOMAXPROCS.
	Workers int
	// Folds is the number of internal cross-validation folds; 0 means 5
	// up to 3,000 examples and 3 above.
	Folds int
	// Seed fixes the folds and the solvers' visiting order; training is
	// reproducible for a given seed.
	Seed uint64
	// NoNetwork leaves out the neural network that a model of data with
	// at most one label per text otherwise also trains: one hidden layer
	// on the same features, whose class probabilities are added to the
	// SVM's scores for near ties. On BANKING77 the network adds about 0.2
	// points of accuracy, 15 seconds of training and a sixth to the time
	// it takes to tag 300-character texts that join several requests;
	// with a few hundred texts it changes nothing. Multi-label data never
	// has one.
	NoNetwork bool
}

func (o *TrainOptions) setDefaults(n int) {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Folds <= 0 {
		o.Folds = 5
		if n > 3000 {
			o.Folds = 3
		}
	}
	if o.Seed == 0 {
		o.Seed = 20240611
	}
}

// TrainInfo says how a model was trained.
type TrainInfo struct {
	Examples int
	// Exclusive is true when every training text had at most one label:
	// the model then picks one outcome per text, "no theme" included if
	// the data had unlabelled texts.
	Exclusive bool
	// Solver is "one-vs-rest" (one linear SVM per theme) or
	// "crammer-singer" (one multi-class SVM); C its regularisation.
	Solver string
	C      float64
	// Blend is the weight with which a multinomial logistic regression's
	// scores are added to the SVM's; 0 when cross-validation found that it
	// did not help, or did not try it (multi-label data, or more than
	// csMaxExamples texts).
	Blend float64
	// Net is the weight with which a hidden-layer network's probabilities
	// are added to the scores; 0 for none (see TrainOptions.NoNetwork).
	Net float64
	// NetGate: the network is computed only where the runner-up is less
	// than this behind the winner.
	NetGate float64
	// Folds of the internal cross-validation that chose Solver and C and
	// calibrated the confidences; 0 when the data was too small for it.
	Folds int
	// CV is the cross-validated quality of the chosen settings on the
	// training data. It is slightly optimistic: the same folds chose them.
	CV       *Report
	Duration time.Duration
}

// Method describes the classifier in words, e.g. "crammer-singer linear
// SVM, C=1, plus softmax regression ×0.3".
func (i TrainInfo) Method() string {
	m := fmt.Sprintf("%s linear SVM, C=%g", i.Solver, i.C)
	if i.Blend > 0 {
		m += fmt.Sprintf(", plus softmax regression ×%g", i.Blend)
	}
	if i.Net > 0 {
		m += fmt.Sprintf(", plus a hidden-layer network's probabilities ×%g", i.Net)
		if i.NetGate > 0 {
			m += fmt.Sprintf(" where the runner-up is within %g", i.NetGate)
		}
	}
	return m
}

// ErrTooFewExamples is returned by Train when the data cannot teach a
// model anything.
var ErrTooFewExamples = errors.New("too few examples")

// candidate is one setting that internal cross-validation tries.
type candidate struct {
	solver string
	c      float64
	blend  float64 // weight of the softmax regression's scores; 0 for none
}

const (
	solverOvR = "one-vs-rest"
	solverCS  = "crammer-singer"
)

// problem is the training data turned into vectors and targets.
type problem struct {
	x      []sparse
	sq     []float64
	dim    int
	k      int
	target [][]int8 // target[k][i] is +1 when text i has class k
	class  []int    // exclusive data: the class of text i
}

// Train learns a model from labelled examples. Texts with exactly one label
// everywhere (or none) make an exclusive model that picks one outcome per
// text; otherwise each theme is decided on its own, with a threshold tuned
// for micro-F1. See the package documentation for the method.
func Train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, error) {
	start := time.Now()
	if len(examples) < 2 {
		return nil, fmt.Errorf("%w: %d, want at least 2", ErrTooFewExamples, len(examples))
	}
	opts.setDefaults(len(examples))
	labels, exclusive, unlabelled := labelSet(examples)
	if len(labels) == 0 {
		return nil, fmt.Errorf("%w: no example has a label", ErrTooFewExamples)
	}
	classes := slices.Clone(labels)
	none := -1
	if exclusive && unlabelled {
		none = len(classes)
		classes = append(classes, "")
	}
	if exclusive && len(classes) < 2 {
		return nil, fmt.Errorf("%w: every example has the one label %q: nothing to tell apart", ErrTooFewExamples, labels[0])
	}

	texts := make([]string, len(examples))
	for i, e := range examples {
		texts[i] = e.Text
	}
	spec := defaultSpec()
	corp := newCorpus(texts, spec)
	voc := corp.buildVocab()
	p := &problem{x: corp.vectors(voc), dim: voc.dim(), k: len(classes)}
	p.sq = make([]float64, len(p.x))
	for i, x := range p.x {
		p.sq[i] = sqNorm(x)
	}
	p.target = make([][]int8, p.k)
	for k := range p.target {
		p.target[k] = make([]int8, len(examples))
	}
	classIdx := make(map[string]int, len(classes))
	for k, c := range classes {
		classIdx[c] = k
	}
	if exclusive {
		p.class = make([]int, len(examples))
	}
	for i, e := range examples {
		for k := range p.k {
			p.target[k][i] = -1
		}
		if len(e.Labels) == 0 && none >= 0 {
			p.target[none][i] = 1
			p.class[i] = none
		}
		for _, l := range e.Labels {
			p.target[classIdx[l]][i] = 1
			if exclusive {
				p.class[i] = classIdx[l]
			}
		}
	}

	t := &trainer{p: p, opts: opts, exclusive: exclusive, none: none, classes: classes}
	info := TrainInfo{Examples: len(examples), Exclusive: exclusive, Solver: solverOvR, C: 1}
	cal := defaultCalibration(p.k, exclusive)
	folds := min(opts.Folds, len(examples)/2)
	if folds >= 2 {
		best, err := t.crossValidate(ctx, folds)
		if err != nil {
			return nil, err
		}
		info.Solver, info.C, info.Blend, info.Folds = best.cand.solver, best.cand.c, best.cand.blend, folds
		cal = best.cal
		info.CV = best.report
	}
	w, err := t.fit(ctx, candidate{solver: info.Solver, c: info.C, blend: info.Blend})
	if err != nil {
		return nil, err
	}
	m := &Model{file: modelFile{
		Labels:    classes,
		None:      none,
		Exclusive: exclusive,
		Spec:      spec,
		WordKeys:  voc.wordKey,
		WordIDF:   voc.wordIDF,
		GramKeys:  voc.gramKey,
		GramIDF:   voc.gramIDF,
		Words:     corpusWords(corp),
		Temp:      cal.temp,
		PlattA:    cal.a,
		PlattB:    cal.b,
		Threshold: cal.threshold,
		Ancestors: ancestorMap(labels, opts.Ancestors),
	}}
	if exclusive && !opts.NoNetwork {
		net, err := trainMLP(ctx, p.x, p.class, p.k, p.dim, defaultMLPParams(opts.Seed), opts.Workers)
		if err != nil {
			return nil, err
		}
		m.file.Net = net.file(voc.numWord(), voc.numGram(), netWeight, netGate)
		info.Net, info.NetGate = netWeight, netGate
	}
	m.setWeights(w, voc.numWord(), voc.numGram())
	info.Duration = time.Since(start)
	m.file.Info = info
	if err := m.init(); err != nil {
		return nil, err
	}
	return m, nil
}

// labelSet returns the sorted distinct labels, whether every example has
// at most one, and whether some have none.
func labelSet(examples []Example) (labels []string, exclusive, unlabelled bool) {
	seen := make(map[string]bool)
	exclusive = true
	for _, e := range examples {
		if len(e.Labels) > 1 {
			exclusive = false
		}
		if len(e.Labels) == 0 {
			unlabelled = true
		}
		for _, l := range e.Labels {
			if !seen[l] {
				seen[l] = true
				labels = append(labels, l)
			}
		}
	}
	slices.Sort(labels)
	return labels, exclusive, unlabelled
}

func corpusWords(c *corpus) []string {
	words := make([]string, len(c.words))
	for i, w := range c.words {
		words[i] = w.text
	}
	return words
}

func ancestorMap(labels []string, fn func(string) []string) map[string][]string {
	if fn == nil {
		return nil
	}
	m := make(map[string][]string)
	for _, l := range labels {
		if a := fn(l); len(a) > 0 {
			m[l] = slices.Clone(a)
		}
	}
	return m
}

type trainer struct {
	p         *problem
	opts      TrainOptions
	exclusive bool
	none      int
	classes   []string
}

// fit trains on all the rows and returns the weights feature-major:
// w[j*k+m] for feature j and class m.
func (t *trainer) fit(ctx context.Context, c candidate) ([]float64, error) {
	p := t.p
	var w []float64
	if c.solver == solverCS {
		w = trainCS(p.x, p.sq, p.class, p.k, p.dim, svmParams{C: c.c, Eps: 0.1, MaxIter: 200, Seed: t.opts.Seed})
	} else {
		sub := t.subset(nil)
		w = make([]float64, p.dim*p.k)
		err := parallel(ctx, p.k, t.opts.Workers, func(k int) {
			wk, _ := trainSVM(sub.binary(p.target[k], p.dim), svmParams{C: c.c, Eps: 0.1, MaxIter: 1000, Seed: t.opts.Seed + uint64(k)}, nil)
			for j, v := range wk {
				w[j*p.k+k] = v
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if c.blend > 0 {
		// Both models are linear in the same features, so the blend of
		// their scores is one weight matrix and tags as fast as either.
		lr := trainSoftmax(p.x, p.class, p.k, p.dim, t.softmaxParams())
		for q, v := range lr {
			w[q] += c.blend * v
		}
	}
	return w, ctx.Err()
}

func (t *trainer) softmaxParams() softmaxParams {
	par := defaultSoftmax
	par.Seed = t.opts.Seed
	return par
}

// classesOf returns the classes of an exclusive problem's rows in s.
func (t *trainer) classesOf(s *rowSet) []int {
	cls := make([]int, len(s.rows))
	for i, r := range s.rows {
		cls[i] = t.p.class[r]
	}
	return cls
}

// rowSet is a subset of the training rows.
type rowSet struct {
	rows []int
	x    []sparse
	sq   []float64
}

func (t *trainer) subset(rows []int) *rowSet {
	p := t.p
	if rows == nil {
		rows = make([]int, len(p.x))
		for i := range rows {
			rows[i] = i
		}
	}
	s := &rowSet{rows: rows, x: make([]sparse, len(rows)), sq: make([]float64, len(rows))}
	for i, r := range rows {
		s.x[i], s.sq[i] = p.x[r], p.sq[r]
	}
	return s
}

func (s *rowSet) binary(target []int8, dim int) *svmProblem {
	y := make([]int8, len(s.rows))
	for i, r := range s.rows {
		y[i] = target[r]
	}
	return &svmProblem{x: s.x, y: y, dim: dim, sqNorm: s.sq}
}

// cvResult is what cross-validation found for one candidate.
type cvResult struct {
	cand   candidate
	score  float64
	cal    calibration
	report *Report
}

// ovrGrid is the regularisation tried for one-vs-rest; measured on the
// development data, accuracy is flat across it for single-label data and
// the lower end matters for sparse multi-label data.
var ovrGrid = []float64{0.01, 0.03, 0.1, 0.3, 1, 3}

// largeGrid is what is tried above csMaxExamples texts. With that much
// data the small values never won on the development data, and dropping
// them keeps training on 10,000 texts well inside a minute on two cores.
var largeGrid = []float64{0.3, 1, 3}

// csMaxExamples bounds the data on which the Crammer-Singer solver and the
// blend with a softmax regression are tried: both pay off with few
// examples per class and cost too much training time on many. (Measured
// on BANKING77 5-fold splits: the blend adds 0.9 points of accuracy with
// 10 texts per intent, 0.1 with 100.)
const csMaxExamples = 3000

// blendGrid is the weights of the softmax regression's scores tried on top
// of the best SVM.
var blendGrid = []float64{0.3, 1, 3}

// crossValidate scores every candidate on out-of-fold predictions and
// returns the best, with the calibration fitted on its out-of-fold scores.
func (t *trainer) crossValidate(ctx context.Context, folds int) (*cvResult, error) {
	p := t.p
	n := len(p.x)
	fold := stratify(t, folds)
	grid := ovrGrid
	if n > csMaxExamples {
		grid = largeGrid
	}
	var cands []candidate
	for _, c := range grid {
		cands = append(cands, candidate{solver: solverOvR, c: c})
	}
	if t.exclusive && n <= csMaxExamples {
		cands = append(cands, candidate{solver: solverCS, c: 1})
	}
	// oof[c][i*k+m] is the score of class m for text i from the model
	// that did not see it, under candidate c.
	oof := make([][]float64, len(cands))
	for c := range oof {
		oof[c] = make([]float64, n*p.k)
	}
	trainRows := make([][]int, folds)
	testRows := make([][]int, folds)
	for i, f := range fold {
		testRows[f] = append(testRows[f], i)
		for g := range folds {
			if g != f {
				trainRows[g] = append(trainRows[g], i)
			}
		}
	}
	subs := make([]*rowSet, folds)
	for f := range folds {
		subs[f] = t.subset(trainRows[f])
	}
	// One-vs-rest: one job per fold and class sweeps the C grid upwards,
	// each solve warm-started from the last.
	err := parallel(ctx, folds*p.k, t.opts.Workers, func(job int) {
		f, k := job/p.k, job%p.k
		bp := subs[f].binary(p.target[k], p.dim)
		var alpha []float64
		for ci, c := range grid {
			var w []float64
			w, alpha = trainSVM(bp, svmParams{C: c, Eps: 0.1, MaxIter: 1000, Seed: t.opts.Seed + uint64(k)}, alpha)
			for _, i := range testRows[f] {
				oof[ci][i*p.k+k] = dot(w, p.x[i])
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for ci, cand := range cands {
		if cand.solver != solverCS {
			continue
		}
		err := t.outOfFold(ctx, subs, testRows, oof[ci], func(sub *rowSet) []float64 {
			return trainCS(sub.x, sub.sq, t.classesOf(sub), p.k, p.dim, svmParams{C: cand.c, Eps: 0.1, MaxIter: 200, Seed: t.opts.Seed})
		})
		if err != nil {
			return nil, err
		}
	}
	var best *cvResult
	bestAt := 0
	for ci, cand := range cands {
		r := t.judge(oof[ci])
		r.cand = cand
		if best == nil || r.score > best.score {
			best, bestAt = r, ci
		}
	}
	bestScores := oof[bestAt]
	if t.exclusive && n <= csMaxExamples {
		// A softmax regression's out-of-fold scores, added to the best
		// SVM's with each weight of the grid: kept only if that helps.
		lr := make([]float64, n*p.k)
		err := t.outOfFold(ctx, subs, testRows, lr, func(sub *rowSet) []float64 {
			return trainSoftmax(sub.x, t.classesOf(sub), p.k, p.dim, t.softmaxParams())
		})
		if err != nil {
			return nil, err
		}
		base := oof[bestAt]
		for _, b := range blendGrid {
			s := make([]float64, n*p.k)
			for q := range s {
				s[q] = base[q] + b*lr[q]
			}
			r := t.judge(s)
			if r.score > best.score {
				r.cand = best.cand
				r.cand.blend = b
				best, bestScores = r, s
			}
		}
	}
	if t.exclusive {
		// The temperature changes confidences, never which class wins, so
		// it is fitted once, for the winner, rather than per candidate.
		best.cal = fitTemperature(bestScores, p.class, p.k)
	}
	return best, nil
}

// outOfFold fills out (out[i*k+m] for text i and class m) with the scores
// of the multi-class models train fits, one per fold on its training rows,
// for that fold's test rows. The folds train in parallel.
func (t *trainer) outOfFold(ctx context.Context, subs []*rowSet, testRows [][]int, out []float64, train func(*rowSet) []float64) error {
	k := t.p.k
	return parallel(ctx, len(subs), t.opts.Workers, func(f int) {
		w := train(subs[f])
		for _, i := range testRows[f] {
			scoreInto(out[i*k:(i+1)*k], w, t.p.x[i])
		}
	})
}

// judge calibrates on out-of-fold scores and measures the predictions that
// calibration leads to.
func (t *trainer) judge(scores []float64) *cvResult {
	p := t.p
	n := len(p.x)
	var cal calibration
	if t.exclusive {
		cal = defaultCalibration(p.k, true) // decisions are the argmax whatever the temperature
	} else {
		cal = fitPlatt(scores, p.target, p.k)
	}
	gold := make([][]string, n)
	pred := make([][]string, n)
	probs := make([]float64, p.k)
	var buf []classProb
	for i := range n {
		for k := range p.k {
			if p.target[k][i] > 0 && k != t.none {
				gold[i] = append(gold[i], t.classes[k])
			}
		}
		buf, _ = cal.decide(scores[i*p.k:(i+1)*p.k], probs, t.none, buf[:0])
		for _, th := range buf {
			pred[i] = append(pred[i], t.classes[th.class])
		}
	}
	rep := score(gold, pred)
	r := &cvResult{cal: cal, report: &rep, score: rep.Accuracy}
	if !t.exclusive {
		r.score = rep.MicroF1
	}
	return r
}

func scoreInto(out []float64, w []float64, x sparse) {
	k := len(out)
	clear(out)
	for t, j := range x.idx {
		v := float64(x.val[t])
		row := w[int(j)*k : int(j)*k+k]
		for m := range out {
			out[m] += row[m] * v
		}
	}
}

// stratify assigns texts to folds so that each class, and the unlabelled
// texts, spread evenly. A multi-label text counts for its rarest label.
func stratify(t *trainer, folds int) []int {
	p := t.p
	n := len(p.x)
	freq := make([]int, p.k)
	for k := range p.k {
		for _, y := range p.target[k] {
			if y > 0 {
				freq[k]++
			}
		}
	}
	group := make([]int, n)
	for i := range n {
		group[i] = -1
		for k := range p.k {
			if p.target[k][i] > 0 && (group[i] < 0 || freq[k] < freq[group[i]]) {
				group[i] = k
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(t.opts.Seed, 17))
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	slices.SortStableFunc(order, func(a, b int) int { return group[a] - group[b] })
	fold := make([]int, n)
	for pos, i := range order {
		fold[i] = pos % folds
	}
	return fold
}

// parallel runs fn(0..n-1) on up to workers goroutines and waits for them.
// It stops handing out jobs once ctx is done and returns ctx's error.
func parallel(ctx context.Context, n, workers int, fn func(int)) error {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fn(j)
			}
		}()
	}
	var err error
	for j := range n {
		if err = ctx.Err(); err != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return err
}

// sigmoid is the logistic function.
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
