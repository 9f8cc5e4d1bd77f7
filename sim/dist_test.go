package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The tests of this file follow gonum's stat/distuv: draw a large seeded
// sample from each distribution and compare it with the distribution's own
// Mean and Quantile.

// distSamples is the sample size: the standard error of a mean is then
// sd/316, and of an empirical probability at most 0.5/316 = 0.0016.
const distSamples = 100_000

// zTol is the tolerance in standard errors. A correct distribution fails one
// check with probability about 6e-7 (two-sided normal tail beyond 5); the
// samples are seeded, so a pass or a failure is reproducible anyway.
const zTol = 5

// testDists covers every family with parameters in the range scenarios use
// (nanoseconds of a latency around 10 ms), with finite variance so that a
// sample mean converges at the usual rate.
var testDists = []Dist{
	Const(10e6),
	Exponential(10e6),
	{Kind: DistUniform, A: 5e6, B: 15e6},
	{Kind: DistNormal, A: 10e6, B: 5e6}, // truncated at 0, 2.3 % of draws redrawn
	{Kind: DistLogNormal, A: 10e6, B: 0.5},
	{Kind: DistGamma, A: 2, B: 5e6},
	{Kind: DistWeibull, A: 1.5, B: 10e6},
	{Kind: DistPareto, A: 5e6, B: 3}, // alpha 3: finite variance
	{Kind: DistQuantiles, Values: []float64{1e6, 5e6, 8e6, 40e6}},
	{Kind: DistSamples, Values: []float64{1e6, 2e6, 2e6, 90e6, 3e6}},
}

// closeTo checks |got - want| <= tol.
func closeTo(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s: got %.6g, want %.6g within %.3g (seed: rand.NewPCG(1, 1); go test ./sim -run TestDist)", what, got, want, tol)
	}
}

func drawSorted(d *Dist) []float64 {
	r := rand.New(rand.NewPCG(1, 1))
	xs := make([]float64, distSamples)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	slices.Sort(xs)
	return xs
}

// Each distribution's sample mean lies within zTol standard errors of Mean.
func TestDistMean(t *testing.T) {
	for _, d := range testDists {
		xs := drawSorted(&d)
		var sum, sum2 float64
		for _, x := range xs {
			sum += x
		}
		mean := sum / distSamples
		for _, x := range xs {
			sum2 += (x - mean) * (x - mean)
		}
		se := math.Sqrt(sum2/(distSamples-1)) / math.Sqrt(distSamples)
		closeTo(t, d.String()+" mean", mean, d.Mean(), zTol*se+1e-9*math.Abs(d.Mean()))
	}
}

// At each distribution's p-quantile q, the share of samples below q is at
// most p and the share at or below q at least p, within zTol binomial
// standard errors sqrt(p(1-p)/n). Stated this way it holds for the discrete
// families too, whose quantile is an atom.
func TestDistQuantile(t *testing.T) {
	for _, d := range testDists {
		xs := drawSorted(&d)
		for _, p := range []float64{0.01, 0.1, 0.5, 0.9, 0.99} {
			q := d.Quantile(p)
			below := float64(sortSearch(xs, q, false)) / distSamples
			atOrBelow := float64(sortSearch(xs, q, true)) / distSamples
			tol := zTol * math.Sqrt(p*(1-p)/distSamples)
			if below > p+tol || atOrBelow < p-tol {
				t.Errorf("%s: quantile(%g) = %.6g, but %.4f of samples are below it and %.4f at or below (want %g within %.4f; seed: rand.NewPCG(1, 1); go test ./sim -run TestDistQuantile)",
					d, p, q, below, atOrBelow, p, tol)
			}
		}
	}
}

// sortSearch counts the sorted xs below v (or at or below v when orEqual).
func sortSearch(xs []float64, v float64, orEqual bool) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := (lo + hi) / 2
		if xs[m] < v || (orEqual && xs[m] == v) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Quantile is monotone and its ends are the support's: 0 and the largest
// value for the bounded families.
func TestDistQuantileEnds(t *testing.T) {
	for _, d := range testDists {
		prev := math.Inf(-1)
		for p := 0.0; p <= 0.999; p += 0.001 {
			q := d.Quantile(p)
			if q < prev || q < 0 {
				t.Errorf("%s: quantile(%g) = %g below quantile just before (%g) or below 0", d, p, q, prev)
				break
			}
			prev = q
		}
	}
	closeTo(t, "uniform quantile(1)", (&Dist{Kind: DistUniform, A: 5, B: 15}).Quantile(1), 15, 0)
	closeTo(t, "quantiles quantile(1)", (&Dist{Kind: DistQuantiles, Values: []float64{1, 5, 8}}).Quantile(1), 8, 0)
	closeTo(t, "samples quantile(1)", (&Dist{Kind: DistSamples, Values: []float64{3, 9, 1}}).Quantile(1), 9, 0)
}

// Validate refuses parameters that Sample could not use.
func TestDistValidate(t *testing.T) {
	bad := []Dist{
		{Kind: DistExponential, A: 0},
		{Kind: DistExponential, A: math.Inf(1)},
		{Kind: DistUniform, A: 5, B: 1},
		{Kind: DistLogNormal, A: -1, B: 1},
		{Kind: DistGamma, A: 0, B: 1},
		{Kind: DistPareto, A: 1, B: math.NaN()},
		{Kind: DistQuantiles, Values: []float64{1}},
		{Kind: DistQuantiles, Values: []float64{2, 1}},
		{Kind: DistSamples},
		{Kind: "zipf", A: 1},
	}
	for _, d := range bad {
		if d.Validate() == nil {
			t.Errorf("%+v: Validate accepted it", d)
		}
	}
	for _, d := range testDists {
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

// TestNSTable checks that the compact sample table holds ns of every sample
// and that a run draws from it the service times the float64 samples give.
func TestNSTable(t *testing.T) {
	vals := make([]float64, minNSTable+5)
	for i := range vals {
		vals[i] = 83.6e6 + float64(i)*1234.5678 + 0.25
	}
	d := Dist{Kind: DistSamples, Values: vals}
	tab := nsTableOf(&d)
	if len(tab) != len(vals) {
		t.Fatalf("table of %d values, want %d", len(tab), len(vals))
	}
	for i, v := range vals {
		if int64(tab[i]) != ns(v) {
			t.Fatalf("value %d: table %d, ns(%v) = %d", i, tab[i], v, ns(v))
		}
	}
	if small := (Dist{Kind: DistSamples, Values: vals[:10]}); nsTableOf(&small) != nil {
		t.Error("a table for 10 samples")
	}
	big := Dist{Kind: DistSamples, Values: append(append([]float64(nil), vals...), 5e9)}
	if nsTableOf(&big) != nil {
		t.Error("a table for a sample over 2^32 ns")
	}
	k := newKeyed()
	for i := uint64(0); i < 1000; i++ {
		key := mix(i)
		if a, b := int64(tab[keyIndex(key, uint64(len(tab)))]), ns(d.sampleKeyed(key, k)); a != b {
			t.Fatalf("key %#x: table gives %d, samples %d", key, a, b)
		}
	}
}

// TestTablesShared: a Tables makes one table per sample list and hands it to
// every distribution drawing from that list; another list, or a shorter view
// of the same one, gets its own.
func TestTablesShared(t *testing.T) {
	vals := make([]float64, minNSTable+5)
	for i := range vals {
		vals[i] = 90e6 + float64(i)*1000
	}
	ts := NewTables()
	a, b := Dist{Kind: DistSamples, Values: vals}, Dist{Kind: DistSamples, Values: vals}
	ta, tb := ts.of(&a), ts.of(&b)
	if len(ta) != len(vals) || &ta[0] != &tb[0] {
		t.Fatal("two distributions of one sample list got two tables")
	}
	short := Dist{Kind: DistSamples, Values: vals[:minNSTable]}
	if ts2 := ts.of(&short); len(ts2) != minNSTable {
		t.Fatalf("a shorter view of the list got a table of %d values, want %d", len(ts2), minNSTable)
	}
	other := Dist{Kind: DistSamples, Values: append([]float64(nil), vals...)}
	if to := ts.of(&other); &to[0] == &ta[0] {
		t.Error("a copy of the list shares the first list's table")
	}
	if ts.of(&Dist{Kind: DistExponential, A: 1}) != nil {
		t.Error("a table for an exponential distribution")
	}
}
