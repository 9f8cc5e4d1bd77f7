package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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
	// Timer is called when a timer set with Run.AfterReq or Run.AfterGroup fires.
	Timer(run *Run, tm Timer)
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
	sidNetShare = StreamID("network/shared")
	sidDispatch = StreamID("dispatch")
	sidCorrect  = StreamID("correct")
	sidCoverage = StreamID("coverage")
	sidEncode   = StreamID("encode")
	sidDecode   = StreamID("decode")
)

// Run is one replication of one strategy: the event loop and all its state.
type Run struct {
	sc    *Scenario
	seed  uint64
	strat Strategy
	cal   calendar
	now   int64
	rng   keyed
	// pService, pDispatch, pCorrect and pCoverage are streamPrefix(seed, sid)
	// of the streams drawn for every task or request.
	pService, pDispatch, pCorrect, pCoverage uint64

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
	err           error                                     // why the run failed, if it did
	onAnswer      func(r Req, arrival int64, source Source) // tests and per-request traces
	via           taskInfo                                  // with onAnswer: the task whose output the next Answer uses
	directWhy     string                                    // why the direct path gave up (tests)
	withinNs      int64                                     // JobHooks.WithinNs
	within        int64                                     // counted answers within withinNs
	progress      func(int64)                               // JobHooks.Progress
	progressN     int64                                     // counted answers since the last progress call

	m        Metrics
	lat      *latencies
	n        int64
	moments  moments // exact sums of the counted latencies and their squares
	acc      [numSources]float64
	answered [numSources]int64
	correct  [numSources]int64
	tasksRun int64
}

// newRun sets up one replication of strategy spec with replication seed seed;
// its compact sample tables come from tables (nil: its own).
func newRun(sc *Scenario, spec *StrategySpec, seed uint64, tables *Tables) (*Run, error) {
	run := &Run{sc: sc, seed: seed, rng: newKeyed(), lat: newLatencies(), withinNs: -1,
		pService: streamPrefix(seed, sidService), pDispatch: streamPrefix(seed, sidDispatch),
		pCorrect: streamPrefix(seed, sidCorrect), pCoverage: streamPrefix(seed, sidCoverage)}
	// The strategy's pools, in the scenario's order. Pools whose models draw
	// from one sample list (one file, read once) share one compact table:
	// half the memory, and twice the share of it in cache, where a collage
	// or spare pool draws from the same trace as the S-CNN pool.
	if tables == nil {
		tables = NewTables()
	}
	for pi := range sc.Pools {
		ps := &sc.Pools[pi]
		if !usesPool(spec, ps.Name) {
			continue
		}
		m := sc.Profile.Model(ps.Model)
		if m == nil {
			var names []string
			for _, pm := range sc.Profile.Models {
				names = append(names, pm.Name)
			}
			return nil, fmt.Errorf("sim: pool %q: model %q is not in profile %q (it has: %s); use a profile with that model, or drop the strategies that use pool %q",
				ps.Name, ps.Model, sc.Profile.Name, strings.Join(names, ", "), ps.Name)
		}
		p := pool{spec: ps, model: m, svc: tables.of(&m.Latency), first: int32(len(run.servers)), n: int32(ps.Servers), slots: max(1, ps.Slots)}
		pidx := int32(len(run.pools))
		run.pools = append(run.pools, p)
		for s := 0; s < ps.Servers; s++ {
			run.servers = append(run.servers, server{pool: pidx, index: int32(s)})
		}
	}
	run.setupStragglers()
	st, err := newStrategy(run, spec)
	if err != nil {
		return nil, err
	}
	run.strat = st
	run.arr = NewStream(seed, "arrivals")
	run.total = sc.Warmup + sc.Requests
	if sc.Requests <= 0 {
		run.total = -1
	}
	if sc.Arrivals.Process == ArrivalMMPP {
		run.mmppUntil = ns(sc.Arrivals.Hold.Sample(run.arr))
	}
	return run, nil
}

func usesPool(spec *StrategySpec, name string) bool {
	for _, v := range spec.Pools {
		if v == name {
			return true
		}
	}
	return false
}

// networked reports whether tasks cross a network (a delay each way).
func (run *Run) networked() bool {
	return run.sc.Network.Kind != DistNone || run.sc.NetworkShared.Kind != DistNone
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

// AfterReq sets a timer of kind k about request r, d ns from now.
func (run *Run) AfterReq(d int64, k TimerKind, r Req) {
	run.cal.push(run.now+d, event{kind: evReqTimer, timer: k, a: r.Slot, b: r.ID})
}

// AfterGroup sets a timer of kind k about group g, d ns from now.
func (run *Run) AfterGroup(d int64, k TimerKind, g GroupRef) {
	run.cal.push(run.now+d, event{kind: evGroupTimer, timer: k, a: g.Index, b: int64(g.Gen)})
}

// draw samples d with a keyed draw for (stream, key): same key, same value.
func (run *Run) draw(d *Dist, stream uint64, key drawKey) int64 {
	if d.Kind == DistNone {
		return 0
	}
	return ns(d.sampleKeyed(key.key(run.seed, stream, 0), run.rng))
}

// Covered draws whether the collage covers request id's cell.
func (run *Run) Covered(id int64, coverage float64) bool {
	if math.IsNaN(coverage) {
		return true
	}
	return unit(keyIn(run.pCoverage, uint64(id), 0)) < coverage
}

// Answer answers request r from source. It returns false when the request
// was already answered.
func (run *Run) Answer(r Req, source Source) bool {
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
	if r.ID >= run.sc.Warmup {
		run.record(r, run.now-s.arrival, source)
	}
	return true
}

// taskInfo is what a per-request trace tells of the task whose output
// answered a request. It is kept only while a trace is taken.
type taskInfo struct {
	reached, start, busy int64 // reached its pool, started service, service time (ns)
	pool, server         int32 // run's pool index (-1: none), server index within the pool
}

// noInfo is the taskInfo of no task.
var noInfo = taskInfo{pool: -1, server: -1}

// infoOf returns task t's taskInfo.
func (run *Run) infoOf(t *Task) taskInfo {
	srv := int32(-1)
	if t.Server >= 0 {
		srv = run.servers[t.Server].index
	}
	return taskInfo{reached: t.reached, start: t.start, busy: t.Busy, pool: t.Pool, server: srv}
}

// traced reports whether a per-request trace is taken: strategies that
// answer after their answering task is gone keep its taskInfo only then.
func (run *Run) traced() bool { return run.onAnswer != nil }

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
