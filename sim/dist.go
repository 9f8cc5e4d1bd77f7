package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// DistKind names a distribution family.
type DistKind string

// Distribution families. Parameters A and B are in the distribution's unit
// (nanoseconds for durations) unless said otherwise.
const (
	DistNone        DistKind = ""          // zero: always 0
	DistConst       DistKind = "const"     // A
	DistExponential DistKind = "exp"       // mean A
	DistUniform     DistKind = "uniform"   // on [A, B)
	DistNormal      DistKind = "normal"    // mean A, std B, truncated at 0 (redrawn)
	DistLogNormal   DistKind = "lognormal" // median A, sigma B (of the log)
	DistGamma       DistKind = "gamma"     // shape A, scale B
	DistWeibull     DistKind = "weibull"   // shape A, scale B
	DistPareto      DistKind = "pareto"    // scale (minimum) A, shape alpha B
	DistQuantiles   DistKind = "quantiles" // Values at evenly spaced probabilities 0..1, linear between
	DistSamples     DistKind = "samples"   // Values drawn uniformly at random (i.i.d.)
)

// Dist describes a distribution as plain data; Sample draws from it.
type Dist struct {
	Kind DistKind `json:"kind"`
	A    float64  `json:"a,omitempty"`
	B    float64  `json:"b,omitempty"`
	// Values: the quantile table (DistQuantiles, len >= 2, non-decreasing) or the
	// samples (DistSamples) in the distribution's unit.
	Values []float64 `json:"values,omitempty"`
	// Text is how the user wrote it (e.g. "exp:2s"), for messages and output.
	Text string `json:"text,omitempty"`
}

// Const returns a constant distribution.
func Const(v float64) Dist { return Dist{Kind: DistConst, A: v} }

// Exponential returns an exponential distribution with the given mean.
func Exponential(mean float64) Dist { return Dist{Kind: DistExponential, A: mean} }

// IsZero reports whether the distribution is the zero value (always 0).
func (d Dist) IsZero() bool { return d.Kind == DistNone }

// Validate checks the parameters. Errors name the problem, not the place: the
// caller adds where the distribution came from.
func (d Dist) Validate() error {
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s %s must be > 0 and finite, got %g", d.Kind, name, v)
		}
		return nil
	}
	nonneg := func(name string, v float64) error {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s %s must be >= 0 and finite, got %g", d.Kind, name, v)
		}
		return nil
	}
	switch d.Kind {
	case DistNone:
		return nil
	case DistConst:
		return nonneg("value", d.A)
	case DistExponential:
		return pos("mean", d.A)
	case DistUniform:
		if err := nonneg("low", d.A); err != nil {
			return err
		}
		if !(d.B >= d.A) || math.IsInf(d.B, 0) {
			return fmt.Errorf("uniform high must be >= low, got low %g high %g", d.A, d.B)
		}
	case DistNormal:
		if err := nonneg("mean", d.A); err != nil {
			return err
		}
		if err := nonneg("std", d.B); err != nil {
			return err
		}
		if d.B > 0 && d.A/d.B < -5 {
			return fmt.Errorf("normal: mean %g is too far below 0 for std %g to truncate", d.A, d.B)
		}
	case DistLogNormal:
		if err := pos("median", d.A); err != nil {
			return err
		}
		return nonneg("sigma", d.B)
	case DistGamma, DistWeibull:
		if err := pos("shape", d.A); err != nil {
			return err
		}
		return pos("scale", d.B)
	case DistPareto:
		if err := pos("scale", d.A); err != nil {
			return err
		}
		return pos("alpha", d.B)
	case DistQuantiles:
		if len(d.Values) < 2 {
			return fmt.Errorf("quantile table needs at least 2 values, got %d", len(d.Values))
		}
		for i, v := range d.Values {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("quantile table value %d is %g, must be >= 0 and finite", i, v)
			}
			if i > 0 && v < d.Values[i-1] {
				return fmt.Errorf("quantile table must not decrease: value %d (%g) < value %d (%g)", i, v, i-1, d.Values[i-1])
			}
		}
	case DistSamples:
		if len(d.Values) == 0 {
			return fmt.Errorf("sample list is empty")
		}
		for i, v := range d.Values {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("sample %d is %g, must be >= 0 and finite", i, v)
			}
		}
	default:
		return fmt.Errorf("unknown distribution kind %q", d.Kind)
	}
	return nil
}

// Sample draws one value using r.
func (d *Dist) Sample(r *rand.Rand) float64 {
	switch d.Kind {
	case DistNone:
		return 0
	case DistConst:
		return d.A
	case DistExponential:
		return d.A * r.ExpFloat64()
	case DistUniform:
		return d.A + (d.B-d.A)*r.Float64()
	case DistNormal:
		for {
			v := d.A + d.B*r.NormFloat64()
			if v >= 0 {
				return v
			}
		}
	case DistLogNormal:
		return d.A * math.Exp(d.B*r.NormFloat64())
	case DistGamma:
		return distuv.Gamma{Alpha: d.A, Beta: 1 / d.B, Src: r}.Rand()
	case DistWeibull:
		return distuv.Weibull{K: d.A, Lambda: d.B, Src: r}.Rand()
	case DistPareto:
		return d.A / math.Pow(1-r.Float64(), 1/d.B)
	case DistQuantiles:
		return d.Quantile(r.Float64())
	case DistSamples:
		return d.Values[r.IntN(len(d.Values))]
	}
	panic("sim: unknown distribution kind " + string(d.Kind))
}

// sampleKeyed draws one value as Sample(rng.at(key)) does. The kinds a
// service time is usually drawn from (constant, uniform, quantile table,
// samples) draw from a PCG held by value; the others go through rng.
func (d *Dist) sampleKeyed(key uint64, rng keyed) float64 {
	switch d.Kind {
	case DistNone:
		return 0
	case DistConst:
		return d.A
	case DistUniform:
		p := pcgAt(key)
		return d.A + (d.B-d.A)*p.Float64()
	case DistQuantiles:
		p := pcgAt(key)
		return d.Quantile(p.Float64())
	case DistSamples:
		return d.Values[keyIndex(key, uint64(len(d.Values)))]
	}
	return d.Sample(rng.at(key))
}

// Quantile returns the p-quantile, 0 <= p <= 1.
func (d *Dist) Quantile(p float64) float64 {
	switch d.Kind {
	case DistNone:
		return 0
	case DistConst:
		return d.A
	case DistExponential:
		return -d.A * math.Log1p(-p)
	case DistUniform:
		return d.A + (d.B-d.A)*p
	case DistNormal:
		// Truncated at 0: map p into the part of the normal above 0.
		n := distuv.Normal{Mu: d.A, Sigma: d.B}
		if d.B == 0 {
			return d.A
		}
		lo := n.CDF(0)
		return n.Quantile(lo + p*(1-lo))
	case DistLogNormal:
		return d.A * math.Exp(d.B*distuv.UnitNormal.Quantile(p))
	case DistGamma:
		return distuv.Gamma{Alpha: d.A, Beta: 1 / d.B}.Quantile(p)
	case DistWeibull:
		return distuv.Weibull{K: d.A, Lambda: d.B}.Quantile(p)
	case DistPareto:
		return d.A / math.Pow(1-p, 1/d.B)
	case DistQuantiles:
		n := len(d.Values) - 1
		x := p * float64(n)
		i := int(x)
		if i >= n {
			return d.Values[n]
		}
		f := x - float64(i)
		return d.Values[i] + f*(d.Values[i+1]-d.Values[i])
	case DistSamples:
		s := append([]float64(nil), d.Values...)
		sort.Float64s(s)
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	panic("sim: unknown distribution kind " + string(d.Kind))
}

// Mean returns the distribution's mean.
func (d *Dist) Mean() float64 {
	switch d.Kind {
	case DistNone:
		return 0
	case DistConst, DistExponential:
		return d.A
	case DistUniform:
		return (d.A + d.B) / 2
	case DistNormal:
		if d.B == 0 {
			return d.A
		}
		return distuv.Normal{Mu: d.A, Sigma: d.B}.Mean() + d.B*phiOverTail(d.A/d.B)
	case DistLogNormal:
		return d.A * math.Exp(d.B*d.B/2)
	case DistGamma:
		return d.A * d.B
	case DistWeibull:
		return distuv.Weibull{K: d.A, Lambda: d.B}.Mean()
	case DistPareto:
		if d.B <= 1 {
			return math.Inf(1)
		}
		return d.B * d.A / (d.B - 1)
	case DistQuantiles:
		// Mean of the piecewise-linear inverse CDF: trapezoids.
		n := len(d.Values) - 1
		s := 0.0
		for i := 0; i < n; i++ {
			s += (d.Values[i] + d.Values[i+1]) / 2
		}
		return s / float64(n)
	case DistSamples:
		s := 0.0
		for _, v := range d.Values {
			s += v
		}
		return s / float64(len(d.Values))
	}
	panic("sim: unknown distribution kind " + string(d.Kind))
}

// phiOverTail is the inverse Mills ratio phi(a)/Phi(a) used for the mean of a
// normal truncated below at 0 (a = mu/sigma).
func phiOverTail(a float64) float64 {
	return distuv.UnitNormal.Prob(a) / distuv.UnitNormal.CDF(a)
}

// String describes the distribution.
func (d Dist) String() string {
	if d.Text != "" {
		return d.Text
	}
	switch d.Kind {
	case DistNone:
		return "0"
	case DistQuantiles:
		return fmt.Sprintf("quantiles(%d)", len(d.Values))
	case DistSamples:
		return fmt.Sprintf("samples(%d)", len(d.Values))
	case DistConst, DistExponential:
		return fmt.Sprintf("%s:%g", d.Kind, d.A)
	}
	return fmt.Sprintf("%s:%g,%g", d.Kind, d.A, d.B)
}

// nsTable holds a sample distribution's values as the engine uses a service
// time: ns(v), whole nanoseconds, in 4 bytes instead of 8. Half the size of
// the float64 samples, so more of a large trace (the cloud trace's 137,594
// samples: 550 KB) stays in cache; exact, since ns(v) is what the engine
// makes of a sample v that no straggler model changes.
type nsTable []uint32

// minNSTable is the smallest sample list worth a compact table: smaller
// ones stay in cache as they are.
const minNSTable = 4096

// Tables holds the compact sample tables (nsTable) of the runs given it
// (JobHooks.Tables), made once for every distribution drawing from the same
// sample list (the same values in memory) and shared: a sweep of many runs
// over one trace makes its table once, not once per run. Safe for
// concurrent use; the sample lists must not change while it is in use.
type Tables struct {
	mu sync.Mutex
	m  map[*float64]nsTable
}

// NewTables returns an empty Tables.
func NewTables() *Tables { return &Tables{m: map[*float64]nsTable{}} }

// of is nsTableOf(d), made once per sample list.
func (ts *Tables) of(d *Dist) nsTable {
	if d.Kind != DistSamples || len(d.Values) == 0 {
		return nil
	}
	first := &d.Values[0]
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.m[first]; ok && len(t) == len(d.Values) {
		return t
	}
	t := nsTableOf(d)
	ts.m[first] = t
	return t
}

// nsTableOf returns the compact table of a sample distribution of at least
// minNSTable values that all fit 32 bits in ns, else nil.
func nsTableOf(d *Dist) nsTable {
	if d.Kind != DistSamples || len(d.Values) < minNSTable {
		return nil
	}
	t := make(nsTable, len(d.Values))
	for i, v := range d.Values {
		n := ns(v)
		if n > math.MaxUint32 {
			return nil
		}
		t[i] = uint32(n)
	}
	return t
}
