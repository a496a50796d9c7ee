package learned

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noisyProblem draws n sparse vectors of dim features (the last one a
// bias) in k classes, each class preferring some features, with a tenth of
// the labels flipped so that no weights separate the data and the
// regularised optimum is finite and unique.
func noisyProblem(n, dim, k int, seed uint64) ([]sparse, []int) {
	rng := rand.New(rand.NewPCG(seed, 5))
	x := make([]sparse, n)
	y := make([]int, n)
	for i := range x {
		c := rng.IntN(k)
		seen := map[int32]bool{}
		for range 6 {
			j := int32(rng.IntN(dim - 1))
			if rng.IntN(2) == 0 {
				j = int32(c*(dim-1)/k + rng.IntN((dim-1)/k))
			}
			seen[j] = true
		}
		for j := range int32(dim - 1) {
			if seen[j] {
				x[i].idx = append(x[i].idx, j)
				x[i].val = append(x[i].val, float32(0.2+rng.Float64()))
			}
		}
		x[i].idx = append(x[i].idx, int32(dim-1))
		x[i].val = append(x[i].val, 1)
		y[i] = c
		if rng.IntN(10) == 0 {
			y[i] = rng.IntN(k)
		}
	}
	return x, y
}

// softmaxObjective is ½‖W‖² + C Σ log-loss, and its gradient's norm
// relative to ‖W‖: at the optimum W = C Σ xᵢ(eᵧᵢ − pᵢ)ᵀ.
func softmaxObjective(x []sparse, y []int, k int, w []float64, c float64) (obj, residual float64) {
	grad := make([]float64, len(w))
	for q, v := range w {
		obj += v * v / 2
		grad[q] = v
	}
	s := make([]float64, k)
	for i, xi := range x {
		scoreInto(s, w, xi)
		top := math.Inf(-1)
		for _, v := range s {
			top = max(top, v)
		}
		var z float64
		for _, v := range s {
			z += math.Exp(v - top)
		}
		obj += c * (math.Log(z) - (s[y[i]] - top))
		for m := range s {
			p := math.Exp(s[m]-top) / z
			if m == y[i] {
				p--
			}
			for a, j := range xi.idx {
				grad[int(j)*k+m] += c * p * float64(xi.val[a])
			}
		}
	}
	var g, n float64
	for q := range w {
		g += grad[q] * grad[q]
		n += w[q] * w[q]
	}
	return obj, math.Sqrt(g / n)
}

// The solver must minimise the objective it claims to: run long, its
// weights satisfy the optimality condition, and the default number of
// passes comes within 1% of that optimum.
func TestSoftmaxReachesTheRegularisedOptimum(t *testing.T) {
	const n, dim, k = 400, 41, 4
	x, y := noisyProblem(n, dim, k, 3)
	par := softmaxParams{C: 1, Epochs: 3000, Eta0: 0.5, Seed: 1}
	long := trainSoftmax(x, y, k, dim, par)
	best, res := softmaxObjective(x, y, k, long, par.C)
	if res > 0.01 {
		t.Errorf("after %d passes the gradient is %.3g of the weights, want ≤ 0.01", par.Epochs, res)
	}
	par.Epochs = defaultSoftmax.Epochs
	short := trainSoftmax(x, y, k, dim, par)
	obj, _ := softmaxObjective(x, y, k, short, par.C)
	if obj > best*1.01 {
		t.Errorf("after %d passes the objective is %.4f, optimum %.4f", par.Epochs, obj, best)
	}
	correct := 0
	s := make([]float64, k)
	for i, xi := range x {
		scoreInto(s, long, xi)
		top := 0
		for m := range s {
			if s[m] > s[top] {
				top = m
			}
		}
		if top == y[i] {
			correct++
		}
	}
	acc := float64(correct) / n
	t.Logf("objective %.4f (gradient %.2g of the weights) after 3000 passes, %.4f after %d; training accuracy %.3f",
		best, res, obj, par.Epochs, acc)
	// Chance is 0.25; measured 0.74 (a tenth of the labels are random and
	// half of each text's features say nothing about its class).
	if acc < 0.6 {
		t.Errorf("training accuracy %.3f, want ≥ 0.6", acc)
	}
}
