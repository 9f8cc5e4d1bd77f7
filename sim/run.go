package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Strategy is what the load balancer does with requests. The engine calls it
// on arrivals, answers and timers; it acts through the Run (submit tasks,
// cancel them, set timers, answer requests). A Strategy holds the state of one
// replication: the engine makes a new one for every run.
type Strategy interface {
	// Arrive is called when request r reaches the load balancer.
	Arrive(run *Run, r Req)
	// Done is called when task t's answer reaches the load balancer.
	Done(run *Run, t *Task)
	// Lost is called when task t will never answer (its server failed).
	Lost(run *Run, t *Task)
	// Timer is called when a timer set with Run.After fires.
	Timer(run *Run, tag int32, payload int64)
}

// Req names a request: its slot in the engine's table and its sequence number.
type Req struct {
	Slot int32
	ID   int64
}

type reqState struct {
	id      int64
	arrival int64
	live    bool
}

// Named streams.
var (
	sidArrivals = StreamID("arrivals")
	sidService  = StreamID("service")
	sidNetSend  = StreamID("network/send")
	sidNetBack  = StreamID("network/back")
	sidDispatch = StreamID("dispatch")
	sidCorrect  = StreamID("correct")
	sidCoverage = StreamID("coverage")
	sidEncode   = StreamID("encode")
	sidDecode   = StreamID("decode")
	sidStrag    = StreamID("straggler")
)

// Run is one replication of one strategy: the event loop and all its state.
type Run struct {
	sc    *Scenario
	seed  uint64
	strat Strategy
	cal   calendar
	now   int64
	rng   keyed

	pools   []pool
	servers []server
	tasks   []Task
	free    []int32

	reqs     []reqState
	freeReqs []int32

	// workload
	arr        *rand.Rand
	issued     int64
	total      int64 // requests to issue (warm-up included); -1: until Duration
	arrDone    bool
	mmppState  int
	mmppUntil  int64
	traceIndex int

	outstanding   int64
	lastArrival   int64             // time of the latest arrival
	backlog       int64             // requests outstanding when arrivals stopped
	avoidInFlight map[int32][]int32 // avoid lists of tasks on their way (network delay)
	background    int               // failure/repair events in the calendar
	failRng       []*rand.Rand
	stopped       bool
	onAnswer      func(r Req, arrival int64, source int) // tests and per-request traces

	m        Metrics
	hist     *hdr.Histogram
	n        int64
	mean, m2 float64 // Welford, ms
	acc      [5]float64
	answered [5]int64
	correct  [5]int64
	tasksRun int64
}

// Now returns the virtual time in nanoseconds.
func (run *Run) Now() int64 { return run.now }

// Live reports whether request r is still waiting for its answer.
func (run *Run) Live(r Req) bool {
	s := &run.reqs[r.Slot]
	return s.live && s.id == r.ID
}

// ReqSlots returns the size of the request table: strategies size their
// per-request state to it.
func (run *Run) ReqSlots() int { return len(run.reqs) }

// PoolModel returns the model served by pool p.
func (run *Run) PoolModel(p int32) *Model { return run.pools[p].model }

// PoolIndex returns the index of the named pool, or -1.
func (run *Run) PoolIndex(name string) int32 {
	for i := range run.pools {
		if run.pools[i].spec.Name == name {
			return int32(i)
		}
	}
	return -1
}

// SetAccuracy sets the accuracy of an answer source (NaN: not measured).
func (run *Run) SetAccuracy(source int, acc float64) { run.acc[source] = acc }

// After sets a timer that calls Strategy.Timer(tag, payload) d ns from now.
func (run *Run) After(d int64, tag int32, payload int64) {
	run.cal.push(run.now+d, evTimer, tag, payload)
}

// Draw samples d with a keyed draw for (stream, key): same key, same value.
func (run *Run) Draw(d *Dist, stream, key uint64) int64 {
	if d.Kind == DistNone {
		return 0
	}
	return int64(d.Sample(run.rng.at(keyOf(run.seed, stream, key, 0))))
}

// Covered draws whether the collage covers request id's cell.
func (run *Run) Covered(id int64, coverage float64) bool {
	if math.IsNaN(coverage) {
		return true
	}
	return unit(keyOf(run.seed, sidCoverage, uint64(id), 0)) < coverage
}

// Answer answers request r from source (an index into Sources). It returns false
// when the request was already answered.
func (run *Run) Answer(r Req, source int) bool {
	s := &run.reqs[r.Slot]
	if !s.live || s.id != r.ID {
		return false
	}
	s.live = false
	if run.onAnswer != nil {
		run.onAnswer(r, s.arrival, source)
	}
	run.freeReqs = append(run.freeReqs, r.Slot)
	run.outstanding--
	if r.ID < run.sc.Warmup {
		return true
	}
	lat := run.now - s.arrival
	run.answered[source]++
	acc := run.acc[source]
	if !math.IsNaN(acc) && unit(keyOf(run.seed, sidCorrect, uint64(r.ID), 0)) < acc {
		run.correct[source]++
	}
	ms := float64(lat) / 1e6
	run.n++
	d := ms - run.mean
	run.mean += d / float64(run.n)
	run.m2 += d * (ms - run.mean)
	run.hist.RecordValue(max(lat, 1))
	if lat > run.sc.Stability.MaxLatency && run.sc.Stability.MaxLatency > 0 {
		run.unstable(fmt.Sprintf("a request took %s, over the stability bound max_latency = %s",
			fmtNs(lat), fmtNs(run.sc.Stability.MaxLatency)))
	}
	return true
}

// Use counts task t's busy time as useful work (its answer was used).
func (run *Run) Use(t *Task) { run.pools[t.Pool].useful += t.Busy }

// UseBusy counts busy ns of pool p as useful work, for an answer used after
// its task was gone.
func (run *Run) UseBusy(p int32, busy int64) { run.pools[p].useful += busy }

func (run *Run) unstable(note string) {
	if !run.m.Unstable {
		run.m.Unstable = true
		run.m.UnstableNote = note
	}
	run.stopped = true
}

// Submit sends a new task to pool p. key identifies its random draws (service
// time, network delay). avoid lists global server indices not to use (copies
// of the same request go to distinct servers where the pool allows).
func (run *Run) Submit(p int32, key uint64, owner int64, slot, tag int32, avoid ...int32) TaskRef {
	i := alloc(&run.tasks, &run.free)
	t := &run.tasks[i]
	gen := t.gen + 1
	*t = Task{Owner: owner, Slot: slot, Tag: tag, Pool: p, Server: -1, key: key, gen: gen, state: taskSent}
	if run.sc.Network.Kind != DistNone {
		d := run.Draw(&run.sc.Network, sidNetSend, key)
		// The server is chosen when the task reaches the pool: dispatch
		// sees the queues as they are then.
		if len(avoid) > 0 {
			if run.avoidInFlight == nil {
				run.avoidInFlight = make(map[int32][]int32)
			}
			run.avoidInFlight[i] = append([]int32(nil), avoid...)
		}
		run.cal.push(run.now+d, evReach, i, int64(gen))
		return TaskRef{i, gen}
	}
	run.dispatch(i, avoid)
	return TaskRef{i, gen}
}

// Server returns the server a task went to (-1 while it is on its way).
func (run *Run) Server(ref TaskRef) int32 {
	t := &run.tasks[ref.i]
	if t.gen != ref.gen {
		return -1
	}
	return t.Server
}

// Cancel withdraws a task: a queued one is removed; a running one is stopped
// when running is true. A finished or stale task is left alone.
func (run *Run) Cancel(ref TaskRef, running bool) {
	t := &run.tasks[ref.i]
	if t.gen != ref.gen {
		return
	}
	switch t.state {
	case taskSent:
		t.state = taskCancelled
	case taskQueued:
		t.state = taskCancelled
		p := &run.pools[t.Pool]
		run.queueDelta(p, -1)
		if t.Server >= 0 {
			run.servers[t.Server].queued--
		}
	case taskRunning:
		if !running {
			return
		}
		srv := &run.servers[t.Server]
		run.pools[t.Pool].busy += run.now - t.start
		run.removeRunning(srv, ref.i)
		run.freeTask(ref.i)
		run.startNext(t.Server)
	}
}

func (run *Run) freeTask(i int32) {
	t := &run.tasks[i]
	t.state = taskFree
	t.gen++
	run.free = append(run.free, i)
}

func (run *Run) queueDelta(p *pool, d int64) {
	p.qArea += float64(p.queued) * float64(run.now-p.qSince)
	p.qSince = run.now
	p.queued += d
}

func (run *Run) removeRunning(srv *server, i int32) {
	for k, v := range srv.running {
		if v == i {
			last := len(srv.running) - 1
			srv.running[k] = srv.running[last]
			srv.running = srv.running[:last]
			return
		}
	}
	panic("sim: task not running on its server")
}

// dispatch places task i on a server of its pool, or in the pool's central queue.
func (run *Run) dispatch(i int32, avoid []int32) {
	t := &run.tasks[i]
	p := &run.pools[t.Pool]
	t.state = taskQueued
	if p.spec.Dispatch == DispatchCentral {
		for s := p.first; s < p.first+p.n; s++ {
			srv := &run.servers[s]
			if !srv.down && len(srv.running) < p.slots && !contains(avoid, s) {
				t.Server = s
				run.start(i, s)
				return
			}
		}
		t.Server = -1
		p.central.push(i)
		run.queueDelta(p, 1)
		p.maxCentral = max(p.maxCentral, p.queued)
		return
	}
	s := run.choose(p, t.key, avoid)
	t.Server = s
	srv := &run.servers[s]
	if !srv.down && len(srv.running) < p.slots && srv.queue.n == 0 {
		run.start(i, s)
		return
	}
	srv.queue.push(i)
	srv.queued++
	if srv.queued > srv.maxQ {
		srv.maxQ = srv.queued
	}
	run.queueDelta(p, 1)
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// choose picks a server of p by the pool's dispatch policy. Down servers and
// those in avoid are skipped while any other is left.
func (run *Run) choose(p *pool, key uint64, avoid []int32) int32 {
	ok := func(s int32) bool { return !run.servers[s].down && !contains(avoid, s) }
	n := uint64(p.n)
	switch p.spec.Dispatch {
	case DispatchRandom, DispatchPowerOfTwo:
		r := run.rng.at(keyOf(run.seed, sidDispatch, key, 0))
		pick := func() int32 {
			for try := 0; try < 64; try++ {
				s := p.first + int32(r.Uint64N(n))
				if ok(s) {
					return s
				}
			}
			return run.firstOK(p, ok)
		}
		a := pick()
		if p.spec.Dispatch == DispatchRandom || p.n == 1 {
			return a
		}
		b := a
		for try := 0; try < 64 && b == a; try++ {
			b = pick()
		}
		if run.servers[b].outstanding() < run.servers[a].outstanding() {
			return b
		}
		return a
	case DispatchLeastOutstanding:
		best := int32(-1)
		start := p.rr
		p.rr++
		for k := uint64(0); k < n; k++ {
			s := p.first + int32((start+k)%n)
			if !ok(s) {
				continue
			}
			if best < 0 || run.servers[s].outstanding() < run.servers[best].outstanding() {
				best = s
			}
		}
		if best >= 0 {
			return best
		}
		return p.first + int32(start%n)
	default: // round-robin
		for k := uint64(0); k < n; k++ {
			s := p.first + int32(p.rr%n)
			p.rr++
			if ok(s) {
				return s
			}
		}
		s := p.first + int32(p.rr%n)
		p.rr++
		return s
	}
}

func (run *Run) firstOK(p *pool, ok func(int32) bool) int32 {
	for s := p.first; s < p.first+p.n; s++ {
		if ok(s) {
			return s
		}
	}
	return p.first
}

// start begins service of task i on server s.
func (run *Run) start(i int32, s int32) {
	t := &run.tasks[i]
	srv := &run.servers[s]
	p := &run.pools[t.Pool]
	t.state = taskRunning
	t.Server = s
	t.start = run.now
	t.Busy = run.serviceTime(t, srv, p)
	srv.running = append(srv.running, i)
	p.started++
	srv.started++
	srv.svc += t.Busy
	run.tasksRun++
	t.starts++
	run.cal.push(run.now+t.Busy, evFinish, i, finishTag(t))
}

// startNext fills server s's free slots from its queue (or its pool's central queue).
func (run *Run) startNext(s int32) {
	srv := &run.servers[s]
	if srv.down {
		return
	}
	p := &run.pools[srv.pool]
	q := &srv.queue
	if p.spec.Dispatch == DispatchCentral {
		q = &p.central
	}
	for len(srv.running) < p.slots && q.n > 0 {
		i := q.pop()
		t := &run.tasks[i]
		if t.state == taskCancelled {
			run.freeTask(i)
			continue
		}
		run.queueDelta(p, -1)
		if p.spec.Dispatch != DispatchCentral {
			srv.queued--
		}
		run.start(i, s)
	}
}

// serviceTime draws task t's service time on srv: the model's latency, then
// each straggler model in order.
func (run *Run) serviceTime(t *Task, srv *server, p *pool) int64 {
	d := p.model.Latency.Sample(run.rng.at(keyOf(run.seed, sidService, t.key, 0)))
	for k := range srv.strag {
		st := &srv.strag[k]
		sp := st.spec
		switch sp.Kind {
		case StragglerSlowNodes:
			d *= st.factor
		case StragglerMarkov:
			for st.until <= run.now {
				st.slow = !st.slow
				hold := &sp.NormalFor
				if st.slow {
					hold = &sp.SlowFor
				}
				st.until += max(1, int64(hold.Sample(st.rng)))
			}
			if st.slow {
				d *= sp.Slowdown
			}
		case StragglerBernoulli:
			sid := sidStrag + uint64(st.index)
			if unit(keyOf(run.seed, sid, t.key, 0)) < sp.P {
				if sp.Extra.Kind != DistNone {
					d += sp.Extra.Sample(run.rng.at(keyOf(run.seed, sid, t.key, 1)))
				} else {
					d *= sp.Slowdown
				}
			}
		case StragglerEmpirical:
			sid := sidStrag + uint64(st.index)
			d = max(d, sp.Latency.Sample(run.rng.at(keyOf(run.seed, sid, t.key, 2))))
		case StragglerTrace:
			v := sp.Latency.Values
			d = max(d, v[st.pos])
			st.pos++
			if st.pos == len(v) {
				st.pos = 0
			}
		}
	}
	return max(1, int64(d))
}

// finishTag identifies one service of a task, so that the finish event of a
// service cut short (a failure, a cancellation) is recognised as stale.
func finishTag(t *Task) int64 { return int64(t.gen)<<32 | int64(t.starts) }

// alloc returns a free slot of a slab: one from the free list, or a new one
// at the end. Slabs keep memory bounded by what is in flight, not by the
// number of requests.
func alloc[T any](slab *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*slab = append(*slab, zero)
	return int32(len(*slab) - 1)
}
