package testbed

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/collagesim/collagesim/sim"
)

func (run *lbRun) metrics(lastArrival time.Time) (sim.Metrics, *hdr.Histogram) {
	run.mu.Lock()
	defer run.mu.Unlock()
	sc := run.sc
	nan := sim.Float(math.NaN())
	m := sim.Metrics{Seed: run.seed, Sources: map[string]int64{}, Utilisation: map[string]sim.Float{},
		MeanQueue: map[string]sim.Float{}, MaxQueue: map[string]int64{}}
	h := newHist()
	var n, correct int64
	var mean, m2 float64
	for id := range run.reqs {
		if int64(id) < sc.Warmup {
			continue
		}
		m.Requests++
		r := &run.reqs[id]
		if !r.answered {
			continue
		}
		n++
		m.Sources[sim.Sources[r.src]]++
		if r.correct {
			correct++
		}
		ms := float64(r.latNs) / 1e6
		d := ms - mean
		mean += d / float64(n)
		m2 += d * (ms - mean)
		h.RecordValue(max(r.latNs, 1))
	}
	for _, src := range sim.Sources {
		if _, ok := m.Sources[src]; !ok {
			m.Sources[src] = 0
		}
	}
	m.Answered, m.Failed, m.Correct = n, m.Requests-n, correct
	m.Accuracy, m.MeanMs, m.StdMs, m.VarMs2, m.CV = nan, nan, nan, nan, nan
	m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms, m.MaxMs = nan, nan, nan, nan, nan, nan
	if n > 0 {
		m.Accuracy = sim.Float(float64(correct) / float64(n))
		v := 0.0
		if n > 1 {
			v = m2 / float64(n-1)
		}
		m.MeanMs, m.VarMs2, m.StdMs, m.CV = sim.Float(mean), sim.Float(v), sim.Float(math.Sqrt(v)), sim.Float(math.Sqrt(v)/mean)
		q := func(p float64) sim.Float { return sim.Float(float64(h.ValueAtQuantile(p)) / 1e6) }
		m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms = q(50), q(90), q(95), q(99), q(99.9)
		m.MaxMs = sim.Float(float64(h.Max()) / 1e6)
	}
	end := run.lastAns
	if end.Before(lastArrival) {
		end = lastArrival
	}
	endV := run.virtual(end.Sub(run.epoch))
	m.Tasks = run.tasksRun
	m.LoadAmplification = nan
	if len(run.reqs) > 0 {
		m.LoadAmplification = sim.Float(float64(run.tasksRun) / float64(len(run.reqs)))
	}
	m.SimulatedS = sim.Float(float64(endV) / 1e9)
	var busy float64
	hours := float64(endV) / 3600e9
	for name, p := range run.pools {
		busy += p.busy
		m.Utilisation[name] = sim.Float(p.busy / (float64(endV) * float64(len(p.servers)*p.slots)))
		m.MeanQueue[name] = nan // the load balancer does not see the workers' queues over time
		mq := 0
		for _, s := range p.servers {
			mq = max(mq, s.maxQueue)
		}
		m.MaxQueue[name] = int64(mq)
		m.ServerHours += sim.Float(float64(len(p.servers)) * hours)
		m.Cost += sim.Float(float64(len(p.servers)) * hours * p.spec.PricePerHour)
	}
	m.BusyS = sim.Float(busy / 1e9)
	m.WastedWork = nan
	if busy > 0 {
		m.WastedWork = sim.Float(1 - min(run.useful, busy)/busy)
	}
	if len(run.errs) > 0 {
		m.Unstable = true
		m.UnstableNote = fmt.Sprintf("%d tasks failed on the wire; first: %v", len(run.errs), run.errs[0])
	}
	if m.Failed > 0 && !m.Unstable {
		m.Unstable = true
		m.UnstableNote = fmt.Sprintf("%d requests were not answered within the drain bound after the last arrival", m.Failed)
	}
	return m, h
}

// lbStats pools the overhead samples of every run.
type lbStats struct {
	rpc, lb, lag, excess, ov []int64
	ovDue                    [][2]int64
	encode                   map[string][]int64
	compute                  map[string][]int64
}

func (a *lbStats) add(run *lbRun) {
	run.mu.Lock()
	defer run.mu.Unlock()
	if a.encode == nil {
		a.encode, a.compute = map[string][]int64{}, map[string][]int64{}
	}
	a.rpc = append(a.rpc, run.rpcNs...)
	a.ov = append(a.ov, run.ovNs...)
	a.ovDue = append(a.ovDue, run.ovDue...)
	a.excess = append(a.excess, run.excessNs...)
	a.lb = append(a.lb, run.lbNs...)
	a.lag = append(a.lag, run.genLag...)
	if run.other != nil && len(run.encodeNs) > 0 {
		a.encode[run.other.spec.Model] = append(a.encode[run.other.spec.Model], run.encodeNs...)
	}
	for k, v := range run.computeNs {
		a.compute[k] = append(a.compute[k], v...)
	}
}

func meanOf(xs []int64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return time.Duration(s / float64(len(xs)))
}

func durQ(xs []int64, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	return time.Duration(quantileOf(xs, p))
}

func (a *lbStats) into(ov *Overheads, sc *sim.Scenario) {
	ov.RPCMean, ov.RPCP50, ov.RPCP99 = meanOf(a.rpc), durQ(a.rpc, 0.5), durQ(a.rpc, 0.99)
	ov.LBMean, ov.LBP99 = meanOf(a.lb), durQ(a.lb, 0.99)
	ov.HoldExcessMean, ov.HoldExcessP99 = meanOf(a.excess), durQ(a.excess, 0.99)
	ov.RPCQuantiles, ov.LBQuantiles, ov.HoldExcessQuantiles = table101(a.rpc), table101(a.lb), table101(a.excess)
	ov.TaskMean, ov.TaskP99, ov.TaskQuantiles = meanOf(a.ov), durQ(a.ov, 0.99), table101(a.ov)
	ov.SameInstantCorr, ov.SameInstantPairs = sameInstantCorr(a.ovDue)
	shared, own, split, singles := sharedSplit(a.ovDue)
	ov.SplitInstants, ov.SplitTasks, ov.SingleTasks = len(shared), len(own), singles
	if len(shared) > 0 {
		ov.SharedQuantiles, ov.OwnQuantiles = table101(shared), table101(own)
		ov.SharedMean, ov.SharedP99 = meanOf(shared), durQ(shared, 0.99)
		ov.OwnMean, ov.OwnP99 = meanOf(own), durQ(own, 0.99)
		ov.SplitTaskMean, ov.SplitTaskP99 = meanOf(split), durQ(split, 0.99)
		ov.SplitModelMean, ov.SplitModelP99, ov.SplitModelCorr = splitModel(shared, own)
		_, ov.TaskModelP99, _ = splitModel([]int64{0}, a.ov)
	}
	ov.GenLagP50, ov.GenLagP99 = durQ(a.lag, 0.5), durQ(a.lag, 0.99)
	for k, v := range a.encode {
		ov.EncodeMean[k] = meanOf(v)
	}
	for k, v := range a.compute {
		ov.ComputeP50[k] = durQ(v, 0.5)
	}
}

// table101 is the quantile table of xs at p = 0, 0.01, .., 1 (negative
// samples, from clocks read on two processes, count as 0).
func table101(xs []int64) []time.Duration {
	if len(xs) == 0 {
		return nil
	}
	s := append([]int64(nil), xs...)
	slices.Sort(s)
	out := make([]time.Duration, 101)
	for i := range out {
		v := s[min(len(s)-1, i*(len(s)-1)/100)]
		out[i] = time.Duration(max(0, v))
	}
	return out
}

// sameInstantCorr is the correlation of the overheads (outside the workers)
// of tasks due at the same instant: a batch's requests, a request's copies.
// The simulator draws each task's network delay on its own; on a host whose
// CPUs are shared by the load balancer and the workers, tasks sent together
// wait for the CPUs together. It returns NaN with fewer than 30 pairs.
func sameInstantCorr(xs [][2]int64) (float64, int) {
	s := append([][2]int64(nil), xs...)
	slices.SortFunc(s, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	var n, sx, sy, sxx, syy, sxy float64
	for i := 1; i < len(s); i++ {
		if s[i][0] != s[i-1][0] {
			continue
		}
		x, y := float64(s[i-1][1]), float64(s[i][1])
		n++
		sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
	}
	if n < 30 {
		return math.NaN(), int(n)
	}
	cov := sxy/n - sx/n*sy/n
	vx, vy := sxx/n-sx/n*sx/n, syy/n-sy/n*sy/n
	if vx <= 0 || vy <= 0 {
		return math.NaN(), int(n)
	}
	return cov / math.Sqrt(vx*vy), int(n)
}

// sharedSplit splits the overheads of tasks due at the same instant into a
// part they share and each task's own. Per instant with two or more tasks,
// the shared part is the smallest of their overheads (one sample per
// instant) and a task's own part is its overhead past that (one sample per
// task; 0 for the smallest, never negative). Were each overhead the
// instant's delay plus an independent non-negative one of the task's own,
// the minimum would be the instant's delay plus the smallest own delay of
// the group: a little above it, by less the more tasks share the instant.
// A task alone at its instant (a group task, due when its group is
// encoded; a task leaving a central queue) has nothing to split against:
// its minimum would be all of its overhead and leave it no own part, so it
// is only counted (singles). split returns the overheads of the tasks that
// were split.
func sharedSplit(xs [][2]int64) (shared, own, split []int64, singles int) {
	s := append([][2]int64(nil), xs...)
	slices.SortFunc(s, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j][0] == s[i][0] {
			j++
		}
		if j-i == 1 {
			singles++
		} else {
			m := s[i][1] // sorted by overhead within the instant
			shared = append(shared, m)
			for _, x := range s[i:j] {
				own = append(own, x[1]-m)
				split = append(split, x[1])
			}
		}
		i = j
	}
	return shared, own, split, singles
}

// splitModel is a task's overhead as the calibrated simulator draws it:
// one draw of shared plus two independent draws of own halved (out and
// back), each drawn from the samples with replacement (a fixed stream of
// 200,000 draws); and the correlation of two tasks' overheads at one
// instant that this implies, Var(shared) / (Var(shared) + Var(own) / 2).
func splitModel(shared, own []int64) (mean, p99 time.Duration, corr float64) {
	const n = 200_000
	r := rand.New(rand.NewPCG(1, 2))
	draws := make([]int64, n)
	for i := range draws {
		draws[i] = max(0, shared[r.IntN(len(shared))]) + (max(0, own[r.IntN(len(own))])+max(0, own[r.IntN(len(own))]))/2
	}
	vs, vo := variance(shared), variance(own)
	corr = math.NaN()
	if vs+vo/2 > 0 {
		corr = vs / (vs + vo/2)
	}
	return meanOf(draws), durQ(draws, 0.99), corr
}

func variance(xs []int64) float64 {
	var n, mean, m2 float64
	for _, x := range xs {
		n++
		d := float64(x) - mean
		mean += d / n
		m2 += d * (float64(x) - mean)
	}
	if n < 2 {
		return 0
	}
	return m2 / (n - 1)
}
