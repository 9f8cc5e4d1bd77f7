package sim

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// cdfProbs are the probabilities at which results keep the pooled latency
// distribution: every 0.1 % up to 99 %, then finer into the tail.
var cdfProbs = func() []float64 {
	var ps []float64
	for i := 0; i <= 990; i++ {
		ps = append(ps, float64(i)/1000)
	}
	for i := 1; i <= 18; i++ { // 99.05 .. 99.9
		ps = append(ps, 0.99+float64(i)*0.0005)
	}
	for i := 1; i <= 18; i++ { // 99.905 .. 99.99
		ps = append(ps, 0.999+float64(i)*0.00005)
	}
	return append(ps, 0.99995, 0.99999, 1)
}()

func cdf(l *latencies) []Quantile {
	if l.count() == 0 {
		return nil
	}
	out := make([]Quantile, len(cdfProbs))
	for i, v := range l.quantiles(cdfProbs) {
		out[i] = Quantile{P: cdfProbs[i], Ms: float64(v) / 1e6}
	}
	return out
}

// tQuantile975 returns the 97.5 % quantile of Student's t with n-1 degrees of freedom.
func tQuantile975(n int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
}

// statOf returns the mean of xs (NaN values make it NaN) with a 95 % Student-t
// confidence interval, clipped at 0.
func statOf(xs []float64) Stat {
	n := len(xs)
	nan := Float(math.NaN())
	if n == 0 {
		return Stat{nan, nan, nan}
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if math.IsNaN(mean) || n == 1 {
		return Stat{Float(mean), nan, nan}
	}
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	half := tQuantile975(n) * math.Sqrt(v/float64(n-1)/float64(n))
	// Every metric is >= 0: the interval is clipped there (a wide interval
	// from few replications would otherwise reach below zero).
	return Stat{Float(mean), Float(max(0, mean-half)), Float(mean + half)}
}

// Summarise is the mean of each metric over the replications reps with its
// 95 % Student-t confidence interval, as every result reports it (the
// testbed summarises its runs with it too).
func Summarise(reps []Metrics) Summary { return summarise(reps) }

func summarise(reps []Metrics) Summary {
	col := func(f func(*Metrics) float64) Stat {
		xs := make([]float64, len(reps))
		for i := range reps {
			xs[i] = f(&reps[i])
		}
		return statOf(xs)
	}
	// share is col for a proportion: its interval is clipped at 1 too (an
	// accuracy of 0.98 from three replications must not claim 1.02).
	share := func(f func(*Metrics) float64) Stat {
		st := col(f)
		st.High = Float(math.Min(float64(st.High), 1))
		return st
	}
	s := Summary{
		Requests:          col(func(m *Metrics) float64 { return float64(m.Requests) }),
		Answered:          col(func(m *Metrics) float64 { return float64(m.Answered) }),
		Failed:            col(func(m *Metrics) float64 { return float64(m.Failed) }),
		MeanMs:            col(func(m *Metrics) float64 { return float64(m.MeanMs) }),
		StdMs:             col(func(m *Metrics) float64 { return float64(m.StdMs) }),
		VarMs2:            col(func(m *Metrics) float64 { return float64(m.VarMs2) }),
		CV:                col(func(m *Metrics) float64 { return float64(m.CV) }),
		P50Ms:             col(func(m *Metrics) float64 { return float64(m.P50Ms) }),
		P90Ms:             col(func(m *Metrics) float64 { return float64(m.P90Ms) }),
		P95Ms:             col(func(m *Metrics) float64 { return float64(m.P95Ms) }),
		P99Ms:             col(func(m *Metrics) float64 { return float64(m.P99Ms) }),
		P999Ms:            col(func(m *Metrics) float64 { return float64(m.P999Ms) }),
		MaxMs:             col(func(m *Metrics) float64 { return float64(m.MaxMs) }),
		Accuracy:          share(func(m *Metrics) float64 { return float64(m.Accuracy) }),
		LoadAmplification: col(func(m *Metrics) float64 { return float64(m.LoadAmplification) }),
		WastedWork:        col(func(m *Metrics) float64 { return float64(m.WastedWork) }),
		ServerHours:       col(func(m *Metrics) float64 { return float64(m.ServerHours) }),
		Cost:              col(func(m *Metrics) float64 { return float64(m.Cost) }),
		Sources:           map[string]Stat{},
		Utilisation:       map[string]Stat{},
		MeanQueue:         map[string]Stat{},
		MaxQueue:          map[string]Stat{},
	}
	for _, src := range Sources {
		s.Sources[src] = share(func(m *Metrics) float64 {
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
			s.Utilisation[p] = col(func(m *Metrics) float64 { return float64(m.Utilisation[p]) })
			s.MeanQueue[p] = col(func(m *Metrics) float64 { return float64(m.MeanQueue[p]) })
			s.MaxQueue[p] = col(func(m *Metrics) float64 { return float64(m.MaxQueue[p]) })
		}
	}
	return s
}
