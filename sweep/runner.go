package sweep

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/collagesim/collagesim/sim"
)

// batch is the jobs of one scenario (a sweep point or a plain run): one per
// strategy and replication (see sim.Jobs).
type batch struct {
	sc     *sim.Scenario
	trace  func(strategy string, rep int) (sim.TraceSink, error) // the caller's trace files, or nil
	outs   []sim.JobResult
	within []int64 // answers within the SLO bound, per job
	left   int
}

// answerSink counts one job's answers for the progress report and those
// within the SLO bound, and passes each answer, and each failed request's
// record, on to the caller's sink.
type answerSink struct {
	next     sim.TraceSink
	withinNs int64 // < 0: no SLO
	n        int64
	within   int64
	prog     *progress
}

// progressStep is how many answers a sink counts before it tells progress.
const progressStep = sim.ProgressStep

func (s *answerSink) Answer(r sim.TraceRecord) {
	if r.Failed { // never answered: not within any bound, and no answer for progress
		if s.next != nil {
			s.next.Answer(r)
		}
		return
	}
	s.n++
	if r.LatencyNs <= s.withinNs {
		s.within++
	}
	if s.next != nil {
		s.next.Answer(r)
	}
	if s.n%progressStep == 0 {
		s.prog.add(progressStep)
	}
}

func (s *answerSink) Close() error {
	if s.next != nil {
		return s.next.Close()
	}
	return nil
}

// runBatches runs every job of every batch on one pool of workers, so that
// batches of unequal cost keep every worker busy. done is called, one call at
// a time, when a batch's last job has finished; its error stops nothing but
// is returned (the first one).
func runBatches(bs []*batch, workers int, withinMs float64, prog *progress, done func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	withinNs := int64(-1)
	if withinMs > 0 {
		withinNs = int64(math.Round(withinMs * 1e6))
	}
	// A job is a group of runs of one batch (sim.JobGroups): the
	// strategies of a replication run in lockstep, drawing their common
	// random numbers once, in as many parts as keep every worker busy. A
	// batch with trace files runs its jobs one at a time.
	type job struct {
		b  int
		js []int
	}
	var all []job
	totalReps := 0
	for _, b := range bs {
		totalReps += max(1, b.sc.Replications)
	}
	for i, b := range bs {
		n, err := sim.Jobs(b.sc)
		if err != nil {
			return err
		}
		b.outs, b.within, b.left = make([]sim.JobResult, n), make([]int64, n), n
		if b.trace != nil {
			for j := 0; j < n; j++ {
				all = append(all, job{i, []int{j}})
			}
			continue
		}
		reps := max(1, b.sc.Replications)
		for _, js := range sim.JobGroups(b.sc, (workers*reps+totalReps-1)/totalReps) {
			all = append(all, job{i, js})
		}
	}
	jobs := make(chan job)
	tables := sim.NewTables() // one compact table per sample list, for every run
	var (
		mu       sync.Mutex
		doneMu   sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < min(workers, len(all)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range jobs {
				b := bs[jb.b]
				res := make([]sim.JobResult, len(jb.js))
				within := make([]int64, len(jb.js))
				if b.trace != nil {
					// The trace files take every answer: the sink counts too.
					sink := &answerSink{withinNs: withinNs, prog: prog}
					res[0] = sim.RunJobWith(b.sc, jb.js[0], sim.JobHooks{WithinNs: -1, Tables: tables, Trace: func(strategy string, rep int) (sim.TraceSink, error) {
						next, err := b.trace(strategy, rep)
						if err != nil {
							return nil, err
						}
						sink.next = next
						return sink, nil
					}})
					prog.add(max(0, b.sc.Requests-sink.n/progressStep*progressStep))
					within[0] = sink.within
				} else {
					// Counts and progress come from the runs themselves,
					// which leaves them free to take the direct path.
					told := make([]int64, len(jb.js))
					hooks := make([]sim.JobHooks, len(jb.js))
					for i := range hooks {
						hooks[i] = sim.JobHooks{WithinNs: withinNs, Tables: tables}
						if prog.w != nil {
							hooks[i].Progress = func(n int64) { told[i] += n; prog.add(n) }
						}
					}
					res = sim.RunJobsWith(b.sc, jb.js, hooks)
					for i := range res {
						prog.add(max(0, b.sc.Requests-told[i]))
						within[i] = res[i].Within()
					}
				}
				mu.Lock()
				for i, j := range jb.js {
					b.outs[j], b.within[j] = res[i], within[i]
				}
				b.left -= len(jb.js)
				last := b.left == 0
				mu.Unlock()
				if !last {
					continue
				}
				doneMu.Lock()
				if err := done(jb.b); err != nil && firstErr == nil {
					firstErr = err
				}
				doneMu.Unlock()
			}
		}()
	}
	for _, jb := range all {
		jobs <- jb
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// assemble joins a finished batch's jobs into one result per strategy and,
// with an SLO (withinMs > 0), each strategy's share of requests within it.
func (b *batch) assemble(withinMs float64) ([]sim.StrategyResult, map[string]sim.Stat, error) {
	ss, err := sim.Assemble(b.sc, b.outs)
	b.outs = nil
	if err != nil || withinMs <= 0 {
		return ss, nil, err
	}
	reps := max(1, b.sc.Replications)
	within := make(map[string]sim.Stat, len(ss))
	for s := range ss {
		xs := make([]float64, len(ss[s].Reps))
		for r, m := range ss[s].Reps {
			xs[r] = math.NaN()
			if m.Requests > 0 {
				xs[r] = float64(b.within[s*reps+r]) / float64(m.Requests)
			}
		}
		within[ss[s].Name] = shareStat(xs)
	}
	return ss, within, nil
}

// shareStat is the mean of shares xs with its 95 % Student-t confidence
// interval, clipped to [0, 1]; the ends are NaN with one replication.
func shareStat(xs []float64) sim.Stat {
	nan := sim.Float(math.NaN())
	n := float64(len(xs))
	if len(xs) == 0 {
		return sim.Stat{Mean: nan, Low: nan, High: nan}
	}
	mean := 0.0
	for _, x := range xs {
		mean += x / n
	}
	if len(xs) == 1 || math.IsNaN(mean) {
		return sim.Stat{Mean: sim.Float(mean), Low: nan, High: nan}
	}
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * math.Sqrt(v/(n-1)/n)
	return sim.Stat{Mean: sim.Float(mean), Low: sim.Float(max(0, mean-half)), High: sim.Float(min(1, mean+half))}
}

// SimOptions control Simulate; none changes a result.
type SimOptions struct {
	Workers  int // parallel runs (0: all cores)
	Trace    func(strategy string, rep int) (sim.TraceSink, error)
	WithinMs float64   // > 0: also count the share of requests answered within this bound
	Progress io.Writer // progress reports (nil: none)
	TTY      bool      // Progress is a terminal
}

// Simulate runs every strategy and replication of sc, as sim.SimulateWith
// does and with the same results, reporting progress as it goes; with
// WithinMs it also returns each strategy's share of requests within it.
func Simulate(sc *sim.Scenario, opt SimOptions) ([]sim.StrategyResult, map[string]sim.Stat, error) {
	b := &batch{sc: sc, trace: opt.Trace}
	n, err := sim.Jobs(sc)
	if err != nil {
		return nil, nil, fmt.Errorf("sweep: %w", err)
	}
	prog := startProgress(opt.Progress, opt.TTY, "run", int64(n)*sc.Requests)
	err = runBatches([]*batch{b}, opt.Workers, opt.WithinMs, prog, func(int) error { return nil })
	prog.finish()
	if err != nil {
		return nil, nil, fmt.Errorf("sweep: %w", err)
	}
	return b.assemble(opt.WithinMs)
}
