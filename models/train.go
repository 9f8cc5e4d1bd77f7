package models

import (
	"fmt"
	"math"
)

// TrainHead fits a softmax (multinomial logistic) regression on feature
// vectors x with labels y in [0, classes): it minimises the mean cross-entropy
// plus lambda/2 times the squared weights, on standardised features, by
// full-batch Adam. The
// standardisation is folded into the returned weights, so the head applies to
// raw features.
func TrainHead(x [][]float32, y []int, classes int, lambda float64) (*Head, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("models: training needs as many labels as feature vectors (got %d and %d)", n, len(y))
	}
	d := len(x[0])
	for i, l := range y {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("models: training label %d of sample %d is outside [0, %d)", l, i, classes)
		}
		if len(x[i]) != d {
			return nil, fmt.Errorf("models: feature vector %d has %d values, want %d", i, len(x[i]), d)
		}
	}
	mean, std := moments(x)
	z := make([]float64, n*d)
	for i, v := range x {
		for j, f := range v {
			z[i*d+j] = (float64(f) - mean[j]) / std[j]
		}
	}

	// Parameters: W (classes x d) then b (classes).
	np := classes*d + classes
	logits := make([]float64, classes)
	loss := func(p, grad []float64) float64 {
		w, b := p[:classes*d], p[classes*d:]
		if grad != nil {
			for i := range grad {
				grad[i] = 0
			}
		}
		total := 0.0
		for i := range n {
			zi := z[i*d : (i+1)*d]
			m := math.Inf(-1)
			for k := range classes {
				s := b[k]
				wk := w[k*d : (k+1)*d]
				for j, v := range zi {
					s += wk[j] * v
				}
				logits[k] = s
				m = max(m, s)
			}
			sum := 0.0
			for k := range classes {
				logits[k] = math.Exp(logits[k] - m)
				sum += logits[k]
			}
			total += -math.Log(logits[y[i]] / sum)
			if grad != nil {
				for k := range classes {
					g := logits[k] / sum
					if k == y[i] {
						g--
					}
					g /= float64(n)
					gw := grad[k*d : (k+1)*d]
					for j, v := range zi {
						gw[j] += g * v
					}
					grad[classes*d+k] += g
				}
			}
		}
		total /= float64(n)
		for i, v := range w {
			total += lambda / 2 * v * v
			if grad != nil {
				grad[i] += lambda * v
			}
		}
		return total
	}
	// Full-batch Adam: the problem is convex and small, and this needs no
	// line search (and no dependency beyond the standard library).
	p := make([]float64, np)
	grad := make([]float64, np)
	m1 := make([]float64, np)
	m2 := make([]float64, np)
	const (
		lr    = 0.05
		beta1 = 0.9
		beta2 = 0.999
		eps   = 1e-8
		iters = 400
	)
	prev := math.Inf(1)
	for it := 1; it <= iters; it++ {
		l := loss(p, grad)
		if math.IsNaN(l) {
			return nil, fmt.Errorf("models: training the head diverged at iteration %d", it)
		}
		c1 := 1 - math.Pow(beta1, float64(it))
		c2 := 1 - math.Pow(beta2, float64(it))
		for i, g := range grad {
			m1[i] = beta1*m1[i] + (1-beta1)*g
			m2[i] = beta2*m2[i] + (1-beta2)*g*g
			p[i] -= lr * (m1[i] / c1) / (math.Sqrt(m2[i]/c2) + eps)
		}
		if math.Abs(prev-l) < 1e-7*math.Max(1, l) && it > 50 {
			break
		}
		prev = l
	}
	h := &Head{Classes: classes, Features: d, W: make([]float32, classes*d), B: make([]float32, classes)}
	for k := range classes {
		bias := p[classes*d+k]
		for j := range d {
			wkj := p[k*d+j] / std[j]
			h.W[k*d+j] = float32(wkj)
			bias -= wkj * mean[j]
		}
		h.B[k] = float32(bias)
	}
	return h, nil
}

// Apply computes the head's logits for one feature vector into out.
func (h *Head) Apply(x []float32, out []float32) {
	for k := range h.Classes {
		s := h.B[k]
		for j, v := range x {
			s += h.W[k*h.Features+j] * v
		}
		out[k] = s
	}
}

// Argmax returns the index of the largest value.
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Softmax returns the largest softmax probability of logits and its index.
func Softmax(logits []float32) (p float64, argmax int) {
	argmax = Argmax(logits)
	m := float64(logits[argmax])
	sum := 0.0
	for _, v := range logits {
		sum += math.Exp(float64(v) - m)
	}
	return 1 / sum, argmax
}

// FitLinear fits a linear map from feature vectors x to target vectors y by
// ridge least squares: it minimises the mean squared error plus lambda times
// the squared weights, on standardised features (the bias is not penalised),
// by solving the normal equations with a Cholesky factorisation. The
// standardisation is folded into the returned head (Classes = len(y[0])), so
// it applies to raw features.
func FitLinear(x, y [][]float32, lambda float64) (*Head, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("models: fitting needs as many targets as feature vectors (got %d and %d)", len(y), n)
	}
	d, m := len(x[0]), len(y[0])
	for i := range x {
		if len(x[i]) != d || len(y[i]) != m {
			return nil, fmt.Errorf("models: sample %d has %d features and %d targets, want %d and %d", i, len(x[i]), len(y[i]), d, m)
		}
	}
	mean, std := moments(x)
	ymean, _ := moments(y)
	// A = Z'Z/n + lambda I, B = Z'(Y - mean Y)/n.
	a := make([]float64, d*d)
	b := make([]float64, d*m)
	z := make([]float64, d)
	for i, v := range x {
		for j, f := range v {
			z[j] = (float64(f) - mean[j]) / std[j]
		}
		for j := range d {
			zj := z[j]
			row := a[j*d : (j+1)*d]
			for l := j; l < d; l++ {
				row[l] += zj * z[l]
			}
			for c, t := range y[i] {
				b[j*m+c] += zj * (float64(t) - ymean[c])
			}
		}
	}
	for j := range d {
		for l := j; l < d; l++ {
			a[j*d+l] /= float64(n)
			a[l*d+j] = a[j*d+l]
		}
		a[j*d+j] += lambda
		for c := range m {
			b[j*m+c] /= float64(n)
		}
	}
	// Cholesky: A = L L', L stored in the lower triangle of a.
	for j := range d {
		s := a[j*d+j]
		for l := range j {
			s -= a[j*d+l] * a[j*d+l]
		}
		if s <= 0 {
			return nil, fmt.Errorf("models: least squares: the normal matrix is not positive definite at %d", j)
		}
		a[j*d+j] = math.Sqrt(s)
		for i := j + 1; i < d; i++ {
			s := a[i*d+j]
			for l := range j {
				s -= a[i*d+l] * a[j*d+l]
			}
			a[i*d+j] = s / a[j*d+j]
		}
	}
	// Solve L L' W = B per target column.
	w := make([]float64, d)
	h := &Head{Classes: m, Features: d, W: make([]float32, m*d), B: make([]float32, m)}
	for c := range m {
		for i := range d {
			s := b[i*m+c]
			for l := range i {
				s -= a[i*d+l] * w[l]
			}
			w[i] = s / a[i*d+i]
		}
		for i := d - 1; i >= 0; i-- {
			s := w[i]
			for l := i + 1; l < d; l++ {
				s -= a[l*d+i] * w[l]
			}
			w[i] = s / a[i*d+i]
		}
		bias := ymean[c]
		for j := range d {
			wj := w[j] / std[j]
			h.W[c*d+j] = float32(wj)
			bias -= wj * mean[j]
		}
		h.B[c] = float32(bias)
	}
	return h, nil
}

// moments returns the per-column mean and standard deviation of x, for
// standardising features; a constant column gets std 1, so its weight stays
// near 0 instead of blowing up.
func moments(x [][]float32) (mean, std []float64) {
	n, d := len(x), len(x[0])
	mean = make([]float64, d)
	std = make([]float64, d)
	for _, v := range x {
		for j, f := range v {
			mean[j] += float64(f)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for _, v := range x {
		for j, f := range v {
			e := float64(f) - mean[j]
			std[j] += e * e
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(n))
		if std[j] < 1e-12 {
			std[j] = 1
		}
	}
	return mean, std
}
