package learned

import (
	"cmp"
	"math"
	"slices"
)

// calibration turns raw SVM scores into probabilities and decisions.
// Exclusive models use one softmax temperature over all classes
// (temperature scaling, Guo et al. 2017); multi-label models use one
// logistic curve per theme (Platt scaling) and a probability threshold
// chosen for micro-F1. All are fitted on out-of-fold scores.
type calibration struct {
	temp      float64
	a, b      []float64
	threshold []float64
}

func defaultCalibration(k int, exclusive bool) calibration {
	if exclusive {
		return calibration{temp: 5}
	}
	c := calibration{a: make([]float64, k), b: make([]float64, k), threshold: make([]float64, k)}
	for m := range k {
		c.a[m], c.threshold[m] = 4, 0.5 // a positive score means the theme applies
	}
	return c
}

// classProb is one predicted class and its probability.
type classProb struct {
	class int
	prob  float64
}

// decide appends to out the classes that scores predict, most probable
// first, and returns the probability that this prediction is exactly right.
// An exclusive model predicts its most probable class unless that is none;
// the probability is the winner's, none included. A multi-label model
// decides each theme on its own, so the probability that every decision is
// right is the product of each theme's probability of its decision (as if
// they were independent). probs is scratch space of len(scores).
func (c *calibration) decide(scores, probs []float64, none int, out []classProb) ([]classProb, float64) {
	if c.a == nil {
		best := 0
		for m, s := range scores {
			if s > scores[best] {
				best = m
			}
		}
		// Softmax probability of the winner, computed stably; a class
		// more than 40 below the winner (after the temperature) adds less
		// than 1e-17 and is skipped, which spares most of the exponentials.
		var z float64
		for _, s := range scores {
			if d := c.temp * (s - scores[best]); d > -40 {
				z += math.Exp(d)
			}
		}
		if best == none {
			return out, 1 / z
		}
		return append(out, classProb{best, 1 / z}), 1 / z
	}
	start := len(out)
	set := 1.0
	for m, s := range scores {
		p := sigmoid(c.a[m]*s + c.b[m])
		probs[m] = p
		if p >= c.threshold[m] {
			out = append(out, classProb{m, p})
			set *= p
		} else {
			set *= 1 - p
		}
	}
	slices.SortFunc(out[start:], func(x, y classProb) int { return cmp.Compare(y.prob, x.prob) })
	return out, set
}

// fitTemperature finds the softmax temperature that minimises the negative
// log-likelihood of the true classes; the likelihood is log-concave in it,
// so a golden-section search over its logarithm finds the optimum.
func fitTemperature(scores []float64, class []int, k int) calibration {
	nll := func(temp float64) float64 {
		var sum float64
		for i, y := range class {
			s := scores[i*k : (i+1)*k]
			top := slices.Max(s)
			var z float64
			for _, v := range s {
				z += math.Exp(temp * (v - top))
			}
			sum += math.Log(z) - temp*(s[y]-top)
		}
		return sum
	}
	lo, hi := math.Log(0.01), math.Log(1000)
	const phi = 0.6180339887498949
	x1, x2 := hi-phi*(hi-lo), lo+phi*(hi-lo)
	f1, f2 := nll(math.Exp(x1)), nll(math.Exp(x2))
	for range 60 {
		if f1 < f2 {
			hi, x2, f2 = x2, x1, f1
			x1 = hi - phi*(hi-lo)
			f1 = nll(math.Exp(x1))
		} else {
			lo, x1, f1 = x1, x2, f2
			x2 = lo + phi*(hi-lo)
			f2 = nll(math.Exp(x2))
		}
	}
	return calibration{temp: math.Exp((lo + hi) / 2)}
}

// fitPlatt fits one logistic curve per class to out-of-fold scores, with
// Platt's smoothed targets, then picks the one probability threshold that
// maximises micro-F1 over all classes.
func fitPlatt(scores []float64, target [][]int8, k int) calibration {
	n := len(target[0])
	c := calibration{a: make([]float64, k), b: make([]float64, k), threshold: make([]float64, k)}
	s := make([]float64, n)
	y := make([]bool, n)
	for m := range k {
		for i := range n {
			s[i] = scores[i*k+m]
			y[i] = target[m][i] > 0
		}
		c.a[m], c.b[m] = platt(s, y)
	}
	type point struct {
		p   float64
		pos bool
	}
	pts := make([]point, 0, n*k)
	positives := 0
	for i := range n {
		for m := range k {
			pos := target[m][i] > 0
			if pos {
				positives++
			}
			pts = append(pts, point{sigmoid(c.a[m]*scores[i*k+m] + c.b[m]), pos})
		}
	}
	slices.SortFunc(pts, func(x, y point) int { return cmp.Compare(y.p, x.p) })
	best, threshold := -1.0, 0.5
	tp, fp := 0, 0
	for i, pt := range pts {
		if pt.pos {
			tp++
		} else {
			fp++
		}
		if i+1 < len(pts) && pts[i+1].p == pt.p {
			continue // a threshold cannot split equal probabilities
		}
		f1 := 2 * float64(tp) / float64(2*tp+fp+(positives-tp))
		if f1 > best {
			best = f1
			threshold = pt.p
			if i+1 < len(pts) {
				threshold = (pt.p + pts[i+1].p) / 2
			}
		}
	}
	for m := range k {
		c.threshold[m] = threshold
	}
	return c
}

// platt fits p = sigmoid(a*s + b) by Newton's method with backtracking, as
// in Lin, Lin and Weng, "A note on Platt's probabilistic outputs for
// support vector machines" (2007), with the sign of a flipped so that a
// higher score means a higher probability.
func platt(s []float64, y []bool) (a, b float64) {
	var npos, nneg float64
	for _, v := range y {
		if v {
			npos++
		} else {
			nneg++
		}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	t := make([]float64, len(s))
	for i, v := range y {
		t[i] = lo
		if v {
			t[i] = hi
		}
	}
	// Work with f = -(a*s + b) as the paper does: p = 1/(1+exp(f)).
	A, B := 0.0, math.Log((nneg+1)/(npos+1))
	loss := func(A, B float64) float64 {
		var l float64
		for i, x := range s {
			f := A*x + B
			if f >= 0 {
				l += t[i]*f + math.Log1p(math.Exp(-f))
			} else {
				l += (t[i]-1)*f + math.Log1p(math.Exp(f))
			}
		}
		return l
	}
	fval := loss(A, B)
	const sigma = 1e-12
	for range 100 {
		var h11, h22, h21, g1, g2 float64
		h11, h22 = sigma, sigma
		for i, x := range s {
			f := A*x + B
			var p, q float64
			if f >= 0 {
				p = math.Exp(-f) / (1 + math.Exp(-f))
				q = 1 / (1 + math.Exp(-f))
			} else {
				p = 1 / (1 + math.Exp(f))
				q = math.Exp(f) / (1 + math.Exp(f))
			}
			d2 := p * q
			h11 += x * x * d2
			h22 += d2
			h21 += x * d2
			d1 := t[i] - p
			g1 += x * d1
			g2 += d1
		}
		if math.Abs(g1) < 1e-5 && math.Abs(g2) < 1e-5 {
			break
		}
		det := h11*h22 - h21*h21
		dA := -(h22*g1 - h21*g2) / det
		dB := -(-h21*g1 + h11*g2) / det
		gd := g1*dA + g2*dB
		step := 1.0
		for step >= 1e-10 {
			nA, nB := A+step*dA, B+step*dB
			if nf := loss(nA, nB); nf < fval+1e-4*step*gd {
				A, B, fval = nA, nB, nf
				break
			}
			step /= 2
		}
		if step < 1e-10 {
			break
		}
	}
	return -A, -B
}
