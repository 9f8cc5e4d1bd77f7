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
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	groups := JobGroups(sc, workers)
	jobs := make(chan []int)
	tables := NewTables()
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(groups)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for js := range jobs {
				hooks := make([]JobHooks, len(js))
				for i := range hooks {
					hooks[i] = JobHooks{Trace: opt.Trace, WithinNs: -1, Tables: tables}
				}
				for i, o := range RunJobsWith(sc, js, hooks) {
					outs[js[i]] = o
				}
			}
		}()
	}
	for _, js := range groups {
		jobs <- js
	}
	close(jobs)
	wg.Wait()
	return Assemble(sc, outs)
}

// JobGroups splits the jobs of sc (see Jobs) into groups for RunJobsWith,
// for units workers: the strategies of each replication together, which
// draw their common arrivals and service times once, or, where there are
// fewer replications than units, in as many parts as keep every worker
// busy. Every job is in one group; groups are in job order. The results
// do not depend on the grouping.
func JobGroups(sc *Scenario, units int) [][]int {
	reps, strats := max(1, sc.Replications), len(sc.Strategies)
	parts := min(strats, max(1, (units+reps-1)/reps))
	var groups [][]int
	for r := 0; r < reps; r++ {
		for p := 0; p < parts; p++ {
			var g []int
			for s := p * strats / parts; s < (p+1)*strats/parts; s++ {
				g = append(g, s*reps+r)
			}
			groups = append(groups, g)
		}
	}
	return groups
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
	var o JobResult
	if o.err = sc.Check(); o.err != nil {
		return o
	}
	run, err := jobRun(sc, j, hooks)
	if err != nil {
		o.err = err
		return o
	}
	var sink TraceSink
	if hooks.Trace != nil {
		reps := max(1, sc.Replications)
		s, r := j/reps, j%reps
		if sink, o.err = hooks.Trace(sc.Strategies[s].Name, r); o.err != nil {
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
		m, ok := run.executeDirect()
		return jobDone(sc, j, hooks, run, m, ok, nil)
	}
	return jobDone(sc, j, hooks, run, run.execute(), true, sink)
}

// jobRun makes the run of job j of sc, counting as hooks say.
func jobRun(sc *Scenario, j int, hooks JobHooks) (*Run, error) {
	reps := max(1, sc.Replications)
	s, r := j/reps, j%reps
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, r), hooks.Tables)
	if err != nil {
		return nil, err
	}
	run.withinNs, run.progress = hooks.WithinNs, hooks.Progress
	return run, nil
}

// jobDone returns the result of job j, whose run gave metrics m; where the
// direct path gave up (!ok), the event loop makes the run anew.
func jobDone(sc *Scenario, j int, hooks JobHooks, run *Run, m Metrics, ok bool, sink TraceSink) JobResult {
	var o JobResult
	if !ok {
		var err error
		if run, err = jobRun(sc, j, hooks); err != nil {
			o.err = err
			return o
		}
		m = run.execute()
	}
	o.m = m
	o.lat, o.within = run.lat, run.within
	if sink != nil {
		run.traceFailed(sink)
		o.err = sink.Close()
	}
	if run.err != nil {
		reps := max(1, sc.Replications)
		o.err = fmt.Errorf("sim: strategy %q, replication %d (seed %d): %w", sc.Strategies[j/reps].Name, j%reps, run.seed, run.err)
	}
	return o
}

// RunJobsWith runs jobs js of sc (see Jobs), job js[i] with hooks[i], and
// returns their results in that order: each the result RunJobWith gives.
// The runs of one replication that the direct path takes go in lockstep
// over one feed (see feed), which draws their common arrivals and service
// times once: a block of requests at a time, every run taking the block
// before the next is drawn. The results do not depend on how jobs are
// grouped.
func RunJobsWith(sc *Scenario, js []int, hooks []JobHooks) []JobResult {
	outs := make([]JobResult, len(js))
	if err := sc.Check(); err != nil {
		for i := range outs {
			outs[i].err = err
		}
		return outs
	}
	reps := max(1, sc.Replications)
	hooks = slices.Clone(hooks)
	type member struct {
		i   int
		run *Run
		d   *direct
	}
	var byRep [][]member // the lockstep groups, in order of their first job
	repGroup := map[int]int{}
	var local *Tables // the tables of runs given none: one set for them all
	for i, j := range js {
		if hooks[i].Tables == nil {
			if local == nil {
				local = NewTables()
			}
			hooks[i].Tables = local
		}
		if hooks[i].Trace != nil {
			outs[i] = RunJobWith(sc, j, hooks[i])
			continue
		}
		run, err := jobRun(sc, j, hooks[i])
		if err != nil {
			outs[i].err = err
			continue
		}
		if _, _, ok := run.directEligible(); !ok {
			outs[i] = jobDone(sc, j, hooks[i], run, run.execute(), true, nil)
			continue
		}
		g, ok := repGroup[j%reps]
		if !ok {
			g = len(byRep)
			repGroup[j%reps] = g
			byRep = append(byRep, nil)
		}
		byRep[g] = append(byRep[g], member{i: i, run: run})
	}
	for _, ms := range byRep {
		if len(ms) == 1 {
			m, ok := ms[0].run.executeDirect()
			outs[ms[0].i] = jobDone(sc, js[ms[0].i], hooks[ms[0].i], ms[0].run, m, ok, nil)
			continue
		}
		runs := make([]*Run, len(ms))
		for k, m := range ms {
			runs[k] = m.run
		}
		g, err := newLockstep(sc, runs, &sc.Strategies[js[ms[0].i]/reps], hooks[ms[0].i].Tables)
		if err != nil {
			for _, m := range ms {
				outs[m.i].err = err
			}
			continue
		}
		g.run()
		for k := range ms {
			ms[k].d = g.ds[k]
		}
		for _, m := range ms {
			met, ok := m.d.end()
			outs[m.i] = jobDone(sc, js[m.i], hooks[m.i], m.run, met, ok, nil)
		}
	}
	return outs
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
		var merged *latencies
		for r := 0; r < reps; r++ {
			o := outs[s*reps+r]
			if o.err != nil {
				return nil, o.err
			}
			res.Reps = append(res.Reps, o.m)
			switch {
			case reps == 1:
				merged = o.lat // one run's: nothing to join
			case merged == nil:
				merged = newLatencies()
				fallthrough
			default:
				merged.merge(o.lat)
			}
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
