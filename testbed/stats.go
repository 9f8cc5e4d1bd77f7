package testbed

import (
	"math"
	"sort"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/collagesim/collagesim/sim"
)

// The simulator's summary of replications (sim keeps these unexported): the
// same histogram range, the same quantile points and the same confidence
// intervals, so testbed and simulator results read alike.

func newHist() *hdr.Histogram { return hdr.New(1_000, 100*3600*1_000_000_000, 3) }

var cdfProbs = func() []float64 {
	var ps []float64
	for i := 0; i <= 990; i++ {
		ps = append(ps, float64(i)/1000)
	}
	for i := 1; i <= 18; i++ {
		ps = append(ps, 0.99+float64(i)*0.0005)
	}
	for i := 1; i <= 18; i++ {
		ps = append(ps, 0.999+float64(i)*0.00005)
	}
	return append(ps, 0.99995, 0.99999, 1)
}()

func cdfOf(h *hdr.Histogram) []sim.Quantile {
	if h.TotalCount() == 0 {
		return nil
	}
	out := make([]sim.Quantile, len(cdfProbs))
	for i, p := range cdfProbs {
		v := h.ValueAtQuantile(100 * p)
		if p == 0 {
			v = h.Min()
		}
		out[i] = sim.Quantile{P: p, Ms: float64(v) / 1e6}
	}
	return out
}

// quantileOf returns the p-quantile (0..1) of xs, sorting a copy.
func quantileOf(xs []int64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return float64(s[max(0, min(i, len(s)-1))])
}
