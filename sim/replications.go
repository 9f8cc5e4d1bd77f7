package sim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
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
	// run and receives every counted answer of it, in the order the load
	// balancer got them, then one record with Failed set for every counted
	// request that never got an answer, by ID. Sinks are used from worker
	// goroutines, one goroutine per sink.
	Trace func(strategy string, rep int) (TraceSink, error)
}

// TraceSink receives the answers and failed requests of one run.
type TraceSink interface {
	Answer(TraceRecord)
	Close() error
}

// TraceRecord is one answered or failed request. The answering task is the
// task whose output the answer is: the request's own S-CNN task, its replica,
// hedge or re-sent copy, or, for an answer from a collage cell or a parity
// reconstruction, the collage or parity task of its group.
type TraceRecord struct {
	ID        int64
	ArrivalNs int64
	LatencyNs int64  // arrival to answer; 0 when Failed
	WaitNs    int64  // the answering task's time queued in its pool before its service started
	ServiceNs int64  // the answering task's service time
	Pool      string // the answering task's pool; "" when Failed
	Server    int    // the answering task's server, its index within Pool; -1 when Failed
	Source    string // where the answer came from (see Sources); "" when Failed
	// Correct is the common-random-number correctness draw of the answer
	// (the one counted in Metrics.Correct); CorrectKnown is false when the
	// answering model has no accuracy, and Correct is then false.
	Correct, CorrectKnown bool
	// Failed: the request never got an answer (its tasks were lost, or the
	// run stopped first); only ID and ArrivalNs are set.
	Failed bool
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
	tables := NewTables()
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				outs[j] = RunJobWith(sc, j, JobHooks{Trace: opt.Trace, WithinNs: -1, Tables: tables})
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
	m      Metrics
	lat    *latencies
	err    error
	within int64
}

// Within is the number of counted answers of the run within
// JobHooks.WithinNs (0 without it).
func (o JobResult) Within() int64 { return o.within }

// JobHooks are what a caller may watch of a run; none changes its results.
// A trace takes every answer in the order the load balancer got them, so it
// makes the run take the event loop; the other hooks do not.
type JobHooks struct {
	// Trace, when set, gives the run's trace sink (see Options.Trace).
	Trace func(strategy string, rep int) (TraceSink, error)
	// WithinNs >= 0 counts the counted answers with a latency of at most
	// WithinNs ns (JobResult.Within).
	WithinNs int64
	// Progress, when set, is called with a number of counted answers,
	// every ProgressStep of them, as the run goes.
	Progress func(answers int64)
	// Tables, when set, holds the compact sample tables the run uses, made
	// by the first run that needs one and shared by the others given it.
	Tables *Tables
}

// ProgressStep is how many counted answers a run takes between calls of
// JobHooks.Progress.
const ProgressStep = 1024

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
	if err := sc.Check(); err != nil {
		return 0, err
	}
	return len(sc.Strategies) * max(1, sc.Replications), nil
}

// RunJob runs job j of sc (see Jobs); trace may be nil.
func RunJob(sc *Scenario, j int, trace func(strategy string, rep int) (TraceSink, error)) JobResult {
	return RunJobWith(sc, j, JobHooks{Trace: trace, WithinNs: -1})
}

// RunJobWith runs job j of sc (see Jobs) with hooks.
func RunJobWith(sc *Scenario, j int, hooks JobHooks) JobResult {
	trace := hooks.Trace
	reps := max(1, sc.Replications)
	s, r := j/reps, j%reps
	var o JobResult
	if o.err = sc.Check(); o.err != nil {
		return o
	}
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, r), hooks.Tables)
	if err != nil {
		o.err = err
		return o
	}
	run.withinNs, run.progress = hooks.WithinNs, hooks.Progress
	var sink TraceSink
	if trace != nil {
		if sink, o.err = trace(sc.Strategies[s].Name, r); o.err != nil {
			return o
		}
		run.via = noInfo
		run.onAnswer = func(q Req, arrival int64, src Source) {
			if q.ID >= sc.Warmup {
				sink.Answer(run.traceRecord(q.ID, arrival, src))
			}
		}
	}
	if _, _, ok := run.directEligible(); ok {
		if o.m, ok = run.executeDirect(); !ok {
			// The direct path gave up: the event loop makes the run anew.
			if run, err = newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, r), hooks.Tables); err != nil {
				o.err = err
				return o
			}
			run.withinNs, run.progress = hooks.WithinNs, hooks.Progress
			o.m = run.execute()
		}
	} else {
		o.m = run.execute()
	}
	o.lat, o.within = run.lat, run.within
	if sink != nil {
		run.traceFailed(sink)
		o.err = sink.Close()
	}
	if run.err != nil {
		o.err = fmt.Errorf("sim: strategy %q, replication %d (seed %d): %w", sc.Strategies[s].Name, r, run.seed, run.err)
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
		merged := newLatencies()
		for r := 0; r < reps; r++ {
			o := outs[s*reps+r]
			if o.err != nil {
				return nil, o.err
			}
			res.Reps = append(res.Reps, o.m)
			merged.merge(o.lat)
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
// PoolUses lists the pools strategy spec of sc uses, by role.
func PoolUses(sc *Scenario, spec *StrategySpec) []PoolUse { return poolUses(sc, spec) }

func poolUses(sc *Scenario, spec *StrategySpec) []PoolUse {
	var out []PoolUse
	for _, pr := range PoolRoles {
		role := pr.Name
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

// traceRecord is the trace record of request id, arrived at arrival,
// answered now from source by the task run.via.
func (run *Run) traceRecord(id, arrival int64, src Source) TraceRecord {
	acc := run.acc[src]
	r := TraceRecord{ID: id, ArrivalNs: arrival, LatencyNs: run.now - arrival, Server: -1, Source: src.String(),
		Correct: run.isCorrect(id, src), CorrectKnown: !math.IsNaN(acc)}
	if v := run.via; v.pool >= 0 {
		r.WaitNs, r.ServiceNs = v.start-v.reached, v.busy
		r.Pool, r.Server = run.pools[v.pool].spec.Name, int(v.server)
	}
	return r
}

// traceFailed sends sink a Failed record for every counted request still
// waiting for its answer at the end of the run, by ID.
func (run *Run) traceFailed(sink TraceSink) {
	var failed []TraceRecord
	for i := range run.reqs {
		if s := &run.reqs[i]; s.live && s.id >= run.sc.Warmup {
			failed = append(failed, TraceRecord{ID: s.id, ArrivalNs: s.arrival, Server: -1, Failed: true})
		}
	}
	slices.SortFunc(failed, func(a, b TraceRecord) int { return cmp.Compare(a.ID, b.ID) })
	for _, r := range failed {
		sink.Answer(r)
	}
}
