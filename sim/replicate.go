package sim

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/gonum/stat/distuv"
)

// RepSeed returns the seed of replication rep of a scenario seeded with seed.
func RepSeed(seed uint64, rep int) uint64 {
	return keyOf(seed, StreamID("replication"), uint64(rep), 0)
}

// Simulate runs every strategy of sc for sc.Replications replications, on up
// to workers goroutines (0: all cores), and returns one result per strategy in
// the scenario's order. Results do not depend on workers.
func Simulate(sc *Scenario, workers int) ([]StrategyResult, error) {
	return SimulateWith(sc, Options{Workers: workers})
}

// Options tune how Simulate runs; none changes the results.
type Options struct {
	Workers int // parallel runs; 0: all cores
	// Trace, when set, is asked for a sink for each (strategy, replication)
	// run and receives every counted answer of it, in order. Sinks are used
	// from worker goroutines, one goroutine per sink.
	Trace func(strategy string, rep int) (TraceSink, error)
}

// TraceSink receives the answers of one run.
type TraceSink interface {
	Answer(TraceRecord)
	Close() error
}

// TraceRecord is one answered request.
type TraceRecord struct {
	ID        int64
	ArrivalNs int64
	LatencyNs int64
	Source    string
}

// SimulateWith is Simulate with options.
func SimulateWith(sc *Scenario, opt Options) ([]StrategyResult, error) {
	n, err := Jobs(sc)
	if err != nil {
		return nil, err
	}
	outs := make([]JobResult, n)
	jobs := make(chan int)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				outs[j] = RunJob(sc, j, opt.Trace)
			}
		}()
	}
	for j := 0; j < n; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return Assemble(sc, outs)
}

// JobResult is what one (strategy, replication) run of a scenario produced.
type JobResult struct {
	m    Metrics
	hist *hdr.Histogram
	err  error
}

// Jobs returns the number of independent runs of sc: strategies x
// replications. Job j is replication j % R of strategy j / R. Callers that
// schedule runs themselves (a sweep over many scenarios) run each with
// RunJob and join them with Assemble.
func Jobs(sc *Scenario) (int, error) {
	if sc.Profile == nil {
		return 0, errors.New("sim: scenario has no profile")
	}
	if len(sc.Strategies) == 0 {
		return 0, errors.New("sim: scenario has no strategies")
	}
	return len(sc.Strategies) * max(1, sc.Replications), nil
}

// RunJob runs job j of sc (see Jobs); trace may be nil.
func RunJob(sc *Scenario, j int, trace func(strategy string, rep int) (TraceSink, error)) JobResult {
	reps := max(1, sc.Replications)
	s, r := j/reps, j%reps
	var o JobResult
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, r))
	if err != nil {
		o.err = err
		return o
	}
	var sink TraceSink
	if trace != nil {
		if sink, o.err = trace(sc.Strategies[s].Name, r); o.err != nil {
			return o
		}
		run.onAnswer = func(q Req, arrival int64, src int) {
			if q.ID >= sc.Warmup {
				sink.Answer(TraceRecord{ID: q.ID, ArrivalNs: arrival, LatencyNs: run.now - arrival, Source: Sources[src]})
			}
		}
	}
	o.m = run.execute()
	o.hist = run.hist
	if sink != nil {
		o.err = sink.Close()
	}
	return o
}

// Assemble joins the results of every job of sc, in job order, into one
// result per strategy.
func Assemble(sc *Scenario, outs []JobResult) ([]StrategyResult, error) {
	reps := max(1, sc.Replications)
	if len(outs) != len(sc.Strategies)*reps {
		panic("sim: Assemble needs the result of every job")
	}
	results := make([]StrategyResult, len(sc.Strategies))
	for s := range sc.Strategies {
		spec := &sc.Strategies[s]
		res := StrategyResult{Name: spec.Name, Kind: spec.Kind}
		merged := newHist()
		for r := 0; r < reps; r++ {
			o := outs[s*reps+r]
			if o.err != nil {
				return nil, o.err
			}
			res.Reps = append(res.Reps, o.m)
			merged.Merge(o.hist)
			if o.m.Unstable && !res.Unstable {
				res.Unstable = true
				res.UnstableNote = fmt.Sprintf("replication %d (seed %d): %s", r, o.m.Seed, o.m.UnstableNote)
			}
		}
		res.Pools = poolUses(sc, spec)
		var cost float64
		for _, p := range res.Pools {
			res.Servers += p.Servers
			cost += float64(p.Servers) * float64(p.PricePerHour)
		}
		res.CostHour = Float(cost)
		res.Summary = summarise(res.Reps)
		res.CDF = cdf(merged)
		results[s] = res
	}
	return results, nil
}

// poolUses lists the pools a strategy uses, by role, in a fixed role order.
func poolUses(sc *Scenario, spec *StrategySpec) []PoolUse {
	var out []PoolUse
	for _, role := range []string{PoolSingle, PoolBackup, PoolCollage, PoolParity} {
		name, ok := spec.Pools[role]
		if !ok {
			continue
		}
		for i := range sc.Pools {
			if p := &sc.Pools[i]; p.Name == name {
				out = append(out, PoolUse{Name: name, Role: role, Model: p.Model, Servers: p.Servers, PricePerHour: Float(p.PricePerHour)})
			}
		}
	}
	return out
}

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

func cdf(h *hdr.Histogram) []Quantile {
	if h.TotalCount() == 0 {
		return nil
	}
	out := make([]Quantile, len(cdfProbs))
	for i, p := range cdfProbs {
		v := h.ValueAtQuantile(100 * p)
		if p == 0 {
			v = h.Min()
		}
		out[i] = Quantile{P: p, Ms: float64(v) / 1e6}
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

func summarise(reps []Metrics) Summary {
	col := func(f func(*Metrics) float64) Stat {
		xs := make([]float64, len(reps))
		for i := range reps {
			xs[i] = f(&reps[i])
		}
		return statOf(xs)
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
		Accuracy:          col(func(m *Metrics) float64 { return float64(m.Accuracy) }),
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
		s.Sources[src] = col(func(m *Metrics) float64 {
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
