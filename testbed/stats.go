package testbed

import (
	"math"
	"sort"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/gonum/stat/distuv"

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

// statOf is the mean of xs with its 95 % Student-t interval, clipped at 0.
func statOf(xs []float64) sim.Stat {
	n := len(xs)
	nan := sim.Float(math.NaN())
	if n == 0 {
		return sim.Stat{Mean: nan, Low: nan, High: nan}
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if math.IsNaN(mean) || n == 1 {
		return sim.Stat{Mean: sim.Float(mean), Low: nan, High: nan}
	}
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975) * math.Sqrt(v/float64(n-1)/float64(n))
	return sim.Stat{Mean: sim.Float(mean), Low: sim.Float(max(0, mean-half)), High: sim.Float(mean + half)}
}

func summarise(reps []sim.Metrics) sim.Summary {
	col := func(f func(*sim.Metrics) float64) sim.Stat {
		xs := make([]float64, len(reps))
		for i := range reps {
			xs[i] = f(&reps[i])
		}
		return statOf(xs)
	}
	s := sim.Summary{
		Requests:          col(func(m *sim.Metrics) float64 { return float64(m.Requests) }),
		Answered:          col(func(m *sim.Metrics) float64 { return float64(m.Answered) }),
		Failed:            col(func(m *sim.Metrics) float64 { return float64(m.Failed) }),
		MeanMs:            col(func(m *sim.Metrics) float64 { return float64(m.MeanMs) }),
		StdMs:             col(func(m *sim.Metrics) float64 { return float64(m.StdMs) }),
		VarMs2:            col(func(m *sim.Metrics) float64 { return float64(m.VarMs2) }),
		CV:                col(func(m *sim.Metrics) float64 { return float64(m.CV) }),
		P50Ms:             col(func(m *sim.Metrics) float64 { return float64(m.P50Ms) }),
		P90Ms:             col(func(m *sim.Metrics) float64 { return float64(m.P90Ms) }),
		P95Ms:             col(func(m *sim.Metrics) float64 { return float64(m.P95Ms) }),
		P99Ms:             col(func(m *sim.Metrics) float64 { return float64(m.P99Ms) }),
		P999Ms:            col(func(m *sim.Metrics) float64 { return float64(m.P999Ms) }),
		MaxMs:             col(func(m *sim.Metrics) float64 { return float64(m.MaxMs) }),
		Accuracy:          col(func(m *sim.Metrics) float64 { return float64(m.Accuracy) }),
		LoadAmplification: col(func(m *sim.Metrics) float64 { return float64(m.LoadAmplification) }),
		WastedWork:        col(func(m *sim.Metrics) float64 { return float64(m.WastedWork) }),
		ServerHours:       col(func(m *sim.Metrics) float64 { return float64(m.ServerHours) }),
		Cost:              col(func(m *sim.Metrics) float64 { return float64(m.Cost) }),
		Sources:           map[string]sim.Stat{},
		Utilisation:       map[string]sim.Stat{},
		MeanQueue:         map[string]sim.Stat{},
		MaxQueue:          map[string]sim.Stat{},
	}
	for _, src := range sim.Sources {
		s.Sources[src] = col(func(m *sim.Metrics) float64 {
			if m.Answered == 0 {
				return math.NaN()
			}
			return float64(m.Sources[src]) / float64(m.Answered)
		})
	}
	if len(reps) > 0 {
		var pools []string
		for p := range reps[0].Utilisation {
			pools = append(pools, p)
		}
		sort.Strings(pools)
		for _, p := range pools {
			s.Utilisation[p] = col(func(m *sim.Metrics) float64 { return float64(m.Utilisation[p]) })
			s.MeanQueue[p] = col(func(m *sim.Metrics) float64 { return float64(m.MeanQueue[p]) })
			s.MaxQueue[p] = col(func(m *sim.Metrics) float64 { return float64(m.MaxQueue[p]) })
		}
	}
	return s
}

// poolUses lists the pools a strategy uses, by role, as the simulator does.
func poolUses(sc *sim.Scenario, spec *sim.StrategySpec) []sim.PoolUse {
	var out []sim.PoolUse
	for _, role := range []string{sim.PoolSingle, sim.PoolBackup, sim.PoolCollage, sim.PoolParity} {
		name, ok := spec.Pools[role]
		if !ok {
			continue
		}
		for i := range sc.Pools {
			if p := &sc.Pools[i]; p.Name == name {
				out = append(out, sim.PoolUse{Name: name, Role: role, Model: p.Model, Servers: p.Servers, PricePerHour: sim.Float(p.PricePerHour)})
			}
		}
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
