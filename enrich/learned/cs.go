package learned

import (
	"math"
	"math/rand/v2"
	"slices"
)

// trainCS fits a Crammer-Singer multi-class linear SVM by the sequential
// dual method of Keerthi et al. (KDD 2008), the one LIBLINEAR uses for
// -s 4. It returns the weights feature-major: w[j*k+m] is the weight of
// feature j for class m.
func trainCS(x []sparse, sq []float64, y []int, k, dim int, par svmParams) []float64 {
	n := len(x)
	w := make([]float64, dim*k)
	alpha := make([]float64, n*k)
	g := make([]float64, k)
	b := make([]float64, k)
	d := make([]float64, k)
	anew := make([]float64, k)
	index := make([]int, n)
	for i := range index {
		index[i] = i
	}
	rng := rand.New(rand.NewPCG(par.Seed, 0x5851f42d4c957f2d))
	for iter := 0; iter < par.MaxIter; iter++ {
		rng.Shuffle(n, func(i, j int) { index[i], index[j] = index[j], index[i] })
		maxViol := 0.0
		for _, i := range index {
			ai := sq[i]
			if ai <= 0 {
				continue
			}
			yi := y[i]
			a := alpha[i*k : (i+1)*k]
			for m := range g {
				g[m] = 1
			}
			g[yi] = 0
			xi := x[i]
			for t, j := range xi.idx {
				v := float64(xi.val[t])
				row := w[int(j)*k : int(j)*k+k]
				for m := range g {
					g[m] += row[m] * v
				}
			}
			minG, maxG := math.Inf(1), math.Inf(-1)
			for m := range g {
				if a[m] < 0 || (m == yi && a[m] < par.C) {
					minG = min(minG, g[m])
				}
				maxG = max(maxG, g[m])
			}
			if maxG-minG > maxViol {
				maxViol = maxG - minG
			}
			if maxG-minG <= 1e-12 {
				continue
			}
			// Solve the sub-problem over this example's k variables.
			for m := range b {
				b[m] = g[m] - ai*a[m]
			}
			copy(d, b)
			d[yi] += ai * par.C
			slices.SortFunc(d, func(p, q float64) int {
				switch {
				case p > q:
					return -1
				case p < q:
					return 1
				}
				return 0
			})
			beta := d[0] - ai*par.C
			r := 1
			for ; r < k && beta < float64(r)*d[r]; r++ {
				beta += d[r]
			}
			beta /= float64(r)
			for m := range anew {
				c := 0.0
				if m == yi {
					c = par.C
				}
				anew[m] = min(c, (beta-b[m])/ai)
			}
			for m := range anew {
				diff := anew[m] - a[m]
				if math.Abs(diff) < 1e-12 {
					continue
				}
				a[m] = anew[m]
				for t, j := range xi.idx {
					w[int(j)*k+m] += diff * float64(xi.val[t])
				}
			}
		}
		if maxViol < par.Eps {
			break
		}
	}
	return w
}
