package learned

import (
	"math"
	"math/rand/v2"
)

// svmProblem is one binary problem of one-vs-rest training: rows of
// feature vectors and, for each, +1 or -1.
type svmProblem struct {
	x   []sparse
	y   []int8
	dim int
	// sqNorm[i] is the squared length of x[i], shared by all the classes.
	sqNorm []float64
}

// svmParams controls the dual coordinate descent solver.
type svmParams struct {
	C       float64
	Eps     float64 // stop when the projected gradient's spread is below this
	MaxIter int
	Seed    uint64
}

// trainSVM fits an L2-regularised linear SVM with the squared hinge loss by
// dual coordinate descent with shrinking (Hsieh et al., ICML 2008, the
// method behind LIBLINEAR's default solver). alpha holds the dual
// variables; pass the solution for a smaller C to warm-start, or nil. It
// returns the weights and the dual variables.
func trainSVM(p *svmProblem, par svmParams, alpha []float64) (w []float64, _ []float64) {
	n := len(p.x)
	if alpha == nil {
		alpha = make([]float64, n)
	}
	w = make([]float64, p.dim)
	diag := make([]float64, n)
	qd := make([]float64, n)
	index := make([]int, n)
	for i := range n {
		diag[i] = 0.5 / par.C
		qd[i] = diag[i] + p.sqNorm[i]
		index[i] = i
		if a := alpha[i]; a != 0 {
			axpy(w, a*float64(p.y[i]), p.x[i])
		}
	}
	rng := rand.New(rand.NewPCG(par.Seed, 0x9e3779b97f4a7c15))
	// Shrinking as in LIBLINEAR's L2-loss dual solver: alpha has no upper
	// bound, so only a variable at zero whose gradient exceeds the last
	// pass's largest projected gradient is set aside.
	pgMaxOld := math.Inf(1)
	active := n
	for iter := 0; iter < par.MaxIter; iter++ {
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		rng.Shuffle(active, func(i, j int) { index[i], index[j] = index[j], index[i] })
		for s := 0; s < active; s++ {
			i := index[s]
			yi := float64(p.y[i])
			g := yi*dot(w, p.x[i]) - 1 + diag[i]*alpha[i]
			pg := 0.0
			if alpha[i] == 0 {
				if g > pgMaxOld {
					// Bound and likely to stay so: leave it out for now.
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				}
				if g < 0 {
					pg = g
				}
			} else {
				pg = g
			}
			pgMax = max(pgMax, pg)
			pgMin = min(pgMin, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(old-g/qd[i], 0)
				axpy(w, (alpha[i]-old)*yi, p.x[i])
			}
		}
		if pgMax-pgMin <= par.Eps {
			if active == n {
				break
			}
			// Converged on the active set: check everything once more.
			active = n
			pgMaxOld = math.Inf(1)
			continue
		}
		pgMaxOld = pgMax
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	return w, alpha
}

func dot(w []float64, x sparse) float64 {
	// Four sums: one would make each addition wait for the one before.
	var s0, s1, s2, s3 float64
	idx, val := x.idx, x.val[:len(x.idx)]
	n := 0
	for ; n+4 <= len(idx); n += 4 {
		s0 += w[idx[n]] * float64(val[n])
		s1 += w[idx[n+1]] * float64(val[n+1])
		s2 += w[idx[n+2]] * float64(val[n+2])
		s3 += w[idx[n+3]] * float64(val[n+3])
	}
	for ; n < len(idx); n++ {
		s0 += w[idx[n]] * float64(val[n])
	}
	return (s0 + s1) + (s2 + s3)
}

func axpy(w []float64, a float64, x sparse) {
	val := x.val[:len(x.idx)]
	for n, j := range x.idx {
		w[j] += a * float64(val[n])
	}
}

func sqNorm(x sparse) float64 {
	var s float64
	for _, v := range x.val {
		s += float64(v) * float64(v)
	}
	return s
}
