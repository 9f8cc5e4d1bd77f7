package sim

import "math"

// The direct path computes a run without the event calendar, for the
// strategies whose decisions never look at the state of the cluster: none,
// and collage with the "first" decoder. With round-robin dispatch, one task
// at a time per server, no network delay and no failures, every server is a
// FIFO queue whose start and finish times follow from the arrivals in order
// (Lindley's recursion: a task starts when it arrives or when the task ahead
// of it finishes), and every answer from the finish times. Requests are
// taken in arrival order, each with the same keyed draws the event loop
// makes, and every metric is counted as the event loop counts it: latency
// sums and queue areas are exact integers, so the order in which they are
// added does not matter.
//
// Events at the same nanosecond are ordered as the calendar orders them: by
// when they were scheduled (a task's finish when it started, an arrival at
// the previous arrival, a collage's send when its group closed or opened).
// Where that is not enough to tell (both scheduled at the same instant by
// different events), or where the event loop would stop the run early (a
// stability bound, an instant past MaxTime, an unstable end whose note
// counts the backlog), the direct path gives up and the run is made again by
// the event loop. Either way the results are the same bytes;
// TestDirectMatchesEvents checks it on random scenarios.

// pushKey is when an event was scheduled, as far as the direct path knows
// its place in the calendar's sequence: the instant t, and where within the
// instant: inArrival for an event scheduled by an arrival's handler before
// that handler scheduled the next arrival (n numbers those in the order they
// were scheduled), nextArrival for that next arrival; other events at one
// instant are not ordered (unknown).
type pushKey struct {
	t  int64
	np uint64 // n<<2 | place
}

const (
	unknown uint8 = iota
	inArrival
	nextArrival
)

// order says whether the event scheduled at a comes before (-1) or after
// (+1) the one scheduled at b, or 0 when the direct path cannot tell.
func order(a, b pushKey) int {
	switch {
	case a.t < b.t:
		return -1
	case a.t > b.t:
		return 1
	}
	switch pa, pb := a.place(), b.place(); {
	case pa == inArrival && pb == inArrival:
		if a.np < b.np {
			return -1
		} else if a.np > b.np {
			return 1
		}
	case pa == inArrival && pb == nextArrival:
		return -1
	case pa == nextArrival && pb == inArrival:
		return 1
	}
	return 0
}

// before reports whether the event at (t, k) comes before the one at
// (u, l) in the calendar's order; ok is false when that cannot be told.
func before(t int64, k pushKey, u int64, l pushKey) (first, ok bool) {
	switch {
	case t < u:
		return true, true
	case t > u:
		return false, true
	}
	o := order(k, l)
	return o < 0, o != 0
}

// dTask is a task of the direct path still in its server's FIFO: when it
// was dispatched, started and finishes, its service time, when its finish
// was scheduled (push), and when the event that started it was scheduled
// (startEv).
//
// A task whose end came early (replicate's cancellation) keeps its drawn
// service time in drawn, and push is then the event that ended it; a task
// cancelled while queued (ghost) never starts: start, finish and push are
// then when it left the queue.
type dTask struct {
	d, start, finish, drawn int64
	push, startEv           pushKey
	atDispatch              bool // it started in the event that dispatched it
	ghost                   bool
}

func (e *dTask) busy() int64 { return e.finish - e.start }

// dServer is a server's FIFO of tasks not yet known to be over, oldest first,
// and the counts of its tasks over (added to its server and pool at the
// run's end: one record touched per task, not three).
type dServer struct {
	q       []dTask
	head    int
	free    int64   // when its last task (not a ghost) ends
	freeKey pushKey // and the scheduling of that end's event
	ghosts  int     // ghosts in q
	// ghostMin is at most the earliest time a ghost in q left it.
	ghostMin int64
	// Tasks started, their drawn service times, their busy time by the
	// run's end, and the time tasks waited in the queue (ns x tasks).
	started, svc, busy int64
	wait               u128
}

type direct struct {
	run     *Run
	srv     []dServer
	pending int64 // tasks in the single pool's FIFOs: at least the requests outstanding
	single  int32
	collage int32 // the pool of group tasks (collage or parity); -1: none
	k       int
	model   *Model // the group tasks' model (collage coverage, parity decoding)
	maxWait int64
	encode  *Dist
	// deadline decoder: wait for the S-CNN answer until deadlineNs
	deadline   bool
	deadlineNs int64
	rep        *replicateStrategy // replicate: its copies and cancellation
	par        *parityStrategy    // parity: its pool and decoding
	salt       int                // the key salt of group tasks
	hedgeOf    *hedgeStrategy     // hedge: its delay, backup pool and cancellation
	arrKey     pushKey            // when the arrival being taken was scheduled
	nIn        uint64             // events scheduled in arrivals' handlers so far
	cells      []dCell            // the open group's requests
	sorted     []dCell            // parity: a second buffer for them, in order
	ord        []int32            // parity: their order
	open       int64              // when the open group's first request arrived
	closeAt    int64              // when its max-wait ends (MaxTime+2: never)
	openKey    pushKey            // when its max-wait timer was scheduled
	nextGID    int64
	lastOut    int64   // when the last collage went out
	lastOutKey pushKey // and when the event that sent it was scheduled
	// maxQ holds the queue lengths of collage tasks sent after every answer
	// so far, oldest first: they count only if sent before the run's end.
	maxQ []dQueued
	// limbo holds the tasks a dispatch after every answer so far found
	// over: whether they were over before the run's end is for close.
	limbo []dLimbo
	// The latest answer: its time, and the server and scheduling of the
	// event that gave it (the last of them when several did at once).
	maxAns  int64
	maxSrv  int32
	maxPush pushKey
	failed  bool
	why     string // why it gave up
	// Service times drawn ahead: of request tasks (reqAhead) and group tasks
	// (grpAhead), on the pools whose draws they are (aheadOn: 1 request
	// tasks, 2 group tasks).
	reqAhead, grpAhead ahead
	// The scenario's warm-up and max_latency (MaxTime when it has none).
	warmup, maxLat int64
	aheadOn        []uint8
	// sp is the single pool, and ahead1 says its draws are all read from
	// reqAhead (aheadOn[single] is 1): what arrive looks at for every
	// request, kept at hand.
	sp     *pool
	ahead1 bool
	// The requests' arrivals, as step takes them: the index of the batch
	// taken last (-1: none yet) and its time, the stability bound
	// max_outstanding (0: none), the requests per batch, and whether the
	// run is over (every request taken, arrivals ended, or given up).
	ai, prev int64
	bound    int64
	batch    int
	over     bool
	// feed, when set, gives the arrivals (the run in lockstep with others
	// of its replication), and, where fed, its blocks are the request
	// tasks' service times drawn ahead.
	feed *feed
	fed  bool
	// queue, when set, gives the requests' first copies' tasks (queued),
	// and qt holds the one read last; queueOut, when set, is the queue
	// this run is the engine of.
	queue    *sharedQueue
	qt       dTask
	qFirst   int32 // the single pool's first server
	queueOut *sharedQueue
}

// dLimbo is task t of server s, found over by a dispatch at by.
type dLimbo struct {
	s  int32
	by int64
	t  dTask
}

// dQueued is a queue length a dispatch at d left on server s.
type dQueued struct {
	d int64
	s int32
	n int32
}

// fail gives up the direct path, for reason why.
func (d *direct) fail(why string) {
	if !d.failed {
		d.failed, d.why = true, why
	}
}

// giveUp records why the direct path gave up (d's reason, else why) and
// returns what executeDirect returns then.
func (run *Run) giveUp(d *direct, why string) (Metrics, bool) {
	run.directWhy = why
	if d != nil && d.why != "" {
		run.directWhy = d.why
	}
	return Metrics{}, false
}

// directEligible reports whether the direct path can run the run's
// strategy, and its single and collage pools (-1: none).
func (run *Run) directEligible() (single, collage int32, ok bool) {
	if run.networked() || run.background > 0 || run.onAnswer != nil || run.sc.ForceEvents {
		return 0, 0, false
	}
	for pi := range run.pools {
		p := &run.pools[pi]
		switch p.spec.Dispatch {
		case DispatchRandom, DispatchPowerOfTwo, DispatchLeastOutstanding, DispatchCentral:
			return 0, 0, false
		}
		if p.slots != 1 {
			return 0, 0, false
		}
	}
	switch s := run.strat.(type) {
	case *noneStrategy:
		return s.single, -1, true
	case *replicateStrategy:
		return s.single, -1, true
	case *parityStrategy:
		return s.single, s.parity, true
	case *hedgeStrategy:
		if s.backup == s.single { // hedges would reach the single pool out of arrival order
			return 0, 0, false
		}
		return s.single, -1, true
	case *collageStrategy:
		if s.resend {
			return 0, 0, false
		}
		return s.single, s.collage, true
	}
	return 0, 0, false
}

// executeDirect runs the replication by the direct path and returns its
// metrics; false when it gave up (the run must then be made anew by the
// event loop: this one's state is spent).
func (run *Run) executeDirect() (Metrics, bool) {
	d, ok := run.beginDirect(nil)
	if !ok {
		return run.giveUp(d, "not a strategy and set-up the direct path takes")
	}
	d.step(math.MaxInt64)
	return d.end()
}

// beginDirect sets up the direct path of the run, drawing its arrivals and
// its requests' first copies' service times from f where f is given and
// has them (nil: the run draws them itself); false when the direct path
// does not take the run. The requests are then taken by step, and the run
// closed by end.
func (run *Run) beginDirect(f *feed) (*direct, bool) {
	single, collage, ok := run.directEligible()
	if !ok {
		return nil, false
	}
	d := &direct{run: run, srv: make([]dServer, len(run.servers)), single: single, collage: collage, maxSrv: -1}
	switch s := run.strat.(type) {
	case *replicateStrategy:
		d.rep = s
	case *hedgeStrategy:
		d.hedgeOf = s
	}
	switch s := run.strat.(type) {
	case *collageStrategy:
		d.k, d.model, d.maxWait, d.encode, d.lastOut, d.salt = s.k, s.model, s.maxWait, s.gs.encode, -1, saltCollage
		d.deadline, d.deadlineNs = s.deadline, s.deadlineNs
	case *parityStrategy:
		d.par = s
		d.k, d.model, d.maxWait, d.encode, d.lastOut, d.salt = s.k, s.model, s.maxWait, s.gs.encode, -1, saltParity
	}
	if f != nil && f.arrivalsOf(run) {
		d.feed = f
	}
	d.setupAhead()
	d.warmup, d.maxLat = run.sc.Warmup, MaxTime
	if ml := run.sc.Stability.MaxLatency; ml > 0 {
		d.maxLat = ml
	}
	d.bound = run.sc.Stability.MaxOutstanding
	d.batch = max(1, run.sc.Arrivals.Batch)
	d.arrKey = pushKey{t: -1} // the first arrival is scheduled before anything else
	d.ai = -1
	return d, true
}

// step takes the run's requests, batch after batch, until the batch with
// index until (not taken) or the end of the arrivals, a stop of the run, or
// the direct path giving up (d.over is then set).
func (d *direct) step(until int64) {
	run := d.run
	if d.fed {
		d.reqAhead = d.feed.blk
	}
	if d.queue != nil && d.queue.eng.failed {
		// The block holds the tasks up to where the engine gave up, and this
		// run would give up there (or before) too.
		d.fail("the shared queue's engine gave up: " + d.queue.eng.why)
		d.over = true
		return
	}
	for !d.over && d.ai+1 < until {
		var a int64
		var more bool
		if d.feed != nil {
			a, more = d.feed.arrival(d.ai + 1)
			if !more {
				run.stopArrivals() // as nextArrival does when arrivals end
			}
		} else {
			a, more = run.nextArrival(d.prev)
		}
		d.ai++
		if !more {
			d.over = true
			return
		}
		if uint64(a) > uint64(MaxTime) {
			d.fail("an arrival past MaxTime: the event loop refuses it with its message")
			d.over = true
			return
		}
		if d.ahead1 && !d.fed { // the batch's service times in the block arrive reads
			d.reqAhead.cover(run.issued, int64(d.batch))
		}
		for k := 0; k < d.batch; k++ {
			if run.total >= 0 && run.issued >= run.total {
				break
			}
			id := run.issued
			run.issued++
			if d.request(id, a); d.failed {
				d.over = true
				return
			}
		}
		run.lastArrival = a
		if d.bound > 0 && d.outstanding() > d.bound {
			d.fail("maybe over max_outstanding: the event loop says when")
			d.over = true
			return
		}
		if run.total >= 0 && run.issued >= run.total {
			d.over = true
			return
		}
		d.arrKey = pushKey{t: a, np: uint64(nextArrival)}
		d.prev = a
	}
}

// end closes a run whose requests step has taken, and returns its metrics;
// false when the direct path gave up (the run must then be made anew by the
// event loop: this one's state is spent).
func (d *direct) end() (Metrics, bool) {
	run := d.run
	if d.failed {
		return run.giveUp(d, "")
	}
	if d.queue != nil {
		d.takeQueue()
	}
	run.arrDone = true
	if len(d.cells) > 0 {
		if d.maxWait > 0 { // the last group goes out when its max-wait ends
			d.timeOut()
		} else { // never: its requests take their S-CNN answers
			for i := range d.cells {
				d.useSingle(&d.cells[i])
			}
		}
	}
	if d.failed || run.issued == 0 {
		return run.giveUp(d, "no request issued")
	}
	end := d.maxAns
	d.flushQueued(end)
	if !d.close(end) {
		return run.giveUp(d, "a task starts or is sent at the last answer's instant: the calendar's order")
	}
	d.fold()
	run.now = end
	run.checkDrain()
	if run.m.Unstable {
		return run.giveUp(d, "unstable at the end: its note counts the backlog, which the event loop knows")
	}
	return run.finish(), true
}

// setupAhead draws ahead the service times of the request tasks of the
// single pool (and of a hedge's backup pool drawing from the same table) and
// of the group tasks, where they are reads of a table; the request tasks'
// from the feed's blocks where it draws them.
func (d *direct) setupAhead() {
	run := d.run
	d.aheadOn = make([]uint8, len(run.pools))
	sp := &run.pools[d.single]
	if run.pureTable(sp, sp.svc) {
		nc, backup := run.reqCopies(sp)
		if backup >= 0 {
			d.aheadOn[backup] |= 1
		}
		if d.feed != nil && d.feed.serviceOf(run, sp, nc) {
			d.fed = true // step takes each block
		} else {
			d.reqAhead = newAhead(sp.svc, run.pService, 0, 0, nc)
		}
		d.aheadOn[d.single] |= 1
	}
	if d.collage >= 0 {
		cp := &run.pools[d.collage]
		if run.pureTable(cp, cp.svc) {
			d.grpAhead = newAhead(cp.svc, run.pService, 1<<63, uint64(d.salt), 1)
			d.aheadOn[d.collage] |= 2
		}
	}
	d.sp, d.ahead1 = sp, d.aheadOn[d.single] == 1
}

// reqCopies returns how many copies of each request the direct path draws
// ahead on the single pool sp, where its draws are reads of its table, and
// the hedge's backup pool whose draws are reads of the same table (-1:
// none).
func (run *Run) reqCopies(sp *pool) (uint64, int32) {
	switch s := run.strat.(type) {
	case *replicateStrategy:
		return uint64(min(s.copies, 8)), -1
	case *hedgeStrategy:
		if run.pureTable(&run.pools[s.backup], sp.svc) {
			return 2, s.backup
		}
	}
	return 1, -1
}

// addSlot grows *s by one element and returns it, as it was if the
// capacity held it: the caller sets every field (no zeroing of a large
// record on the hot path).
func addSlot[T any](s *[]T) *T {
	n := len(*s)
	if n < cap(*s) {
		*s = (*s)[:n+1]
	} else {
		var zero T
		*s = append(*s, zero)
	}
	return &(*s)[n]
}

// request takes request id arriving at a.
func (d *direct) request(id, a int64) {
	if d.rep != nil {
		d.replicate(id, a)
		return
	}
	if d.hedgeOf != nil {
		d.hedge(id, a)
		return
	}
	if d.par != nil {
		d.parityRequest(id, a)
		return
	}
	var s int32
	var t *dTask
	if d.queue != nil { // read from the shared queue, not sent (queued inlines here)
		s, t = d.queued(id)
	} else {
		s, t = d.arrive(id, 0, a, false, -1)
	}
	if d.failed {
		return
	}
	if d.queueOut != nil { // the engine of a shared queue
		d.queueOut.record(s, t)
		return
	}
	if d.collage < 0 {
		d.answer(id, a, t.finish, BySingle, s, t.push)
		d.run.pools[d.single].useful += t.busy()
		return
	}
	// t is valid until the next dispatch: closing an overdue group makes one.
	finish, busy, push := t.finish, t.busy(), t.push
	var deadline int64
	var tkey pushKey
	if d.deadline {
		if deadline = later(a, d.deadlineNs); deadline > MaxTime {
			d.fail("a deadline past MaxTime: the event loop refuses it")
			return
		}
		tkey = d.inArrivalKey(a)
	}
	if d.closeOverdue(a); d.failed {
		return
	}
	if len(d.cells) == 0 {
		d.openGroup(a)
	}
	// The cell is written in place (an 80-byte record).
	n := len(d.cells)
	c := addSlot(&d.cells)
	c.id, c.arrival, c.finish, c.busy, c.server, c.push = id, a, finish, busy, s, push
	c.deadline, c.tkey = deadline, tkey
	if n+1 == d.k {
		d.send(a, d.arrKey, true)
	}
}

// answer counts request id's answer at time at, by the finish of a task of
// server s scheduled at push.
func (d *direct) answer(id, arrival, at int64, src Source, s int32, push pushKey) {
	run := d.run
	lat := at - arrival
	if lat > d.maxLat {
		d.fail("a latency over max_latency: the event loop stops the run there")
		return
	}
	switch {
	case at > d.maxAns:
		d.maxAns, d.maxSrv, d.maxPush = at, s, push
		if len(d.maxQ) > 0 && d.maxQ[0].d < at || len(d.limbo) > 0 && d.limbo[0].by < at {
			d.flushQueued(at)
		}
	case at == d.maxAns && (s != d.maxSrv || push != d.maxPush):
		switch order(push, d.maxPush) {
		case 1:
			d.maxSrv, d.maxPush = s, push
		case 0:
			d.fail("two last answers at once: the calendar's order")
			return
		}
	}
	if id >= d.warmup {
		run.record(Req{Slot: -1, ID: id}, lat, src)
	}
}
