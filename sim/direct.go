package sim

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

func (k pushKey) place() uint8 { return uint8(k.np & 3) }

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

// dTask is a task of the direct path still in its server's FIFO: when it
// was dispatched, started and finishes, its service time, when its finish
// was scheduled (push), and when the event that started it was scheduled
// (startEv).
//
// A task whose end came early (replicate's cancellation) keeps its drawn
// service time in drawn, and push is then the event that ended it; a task
// cancelled while queued (ghost) never starts: finish and push are then when
// it left the queue.
type dTask struct {
	d, start, finish, drawn int64
	push, startEv           pushKey
	atDispatch              bool // it started in the event that dispatched it
	ghost                   bool
}

func (e *dTask) busy() int64 { return e.finish - e.start }

// dServer is a server's FIFO of tasks not yet known to be over, oldest first.
type dServer struct {
	q       []dTask
	head    int
	free    int64   // when its last task (not a ghost) ends
	freeKey pushKey // and the scheduling of that end's event
	ghosts  int     // ghosts in q
}

// dCell is a request of the collage group being filled, with its S-CNN
// task's finish and service times, server and finish's scheduling.
type dCell struct {
	id, arrival, finish, busy int64
	server                    int32
	push                      pushKey
	deadline                  int64   // deadline decoder: when the request's deadline passes
	tkey                      pushKey // and when its timer was set
}

type direct struct {
	run     *Run
	srv     []dServer
	pending int64 // tasks in the single pool's FIFOs: at least the requests outstanding
	single  int32
	collage int32 // -1: strategy none
	k       int
	model   *Model // the collage model (coverage)
	maxWait int64
	encode  *Dist
	// deadline decoder: wait for the S-CNN answer until deadlineNs
	deadline   bool
	deadlineNs int64
	rep        *replicateStrategy // replicate: its copies and cancellation
	arrKey     pushKey            // when the arrival being taken was scheduled
	nIn        uint64  // events scheduled in arrivals' handlers so far
	cells      []dCell // the open group's requests
	open       int64   // when the open group's first request arrived
	openKey    pushKey // when its max-wait timer was scheduled
	nextGID    int64
	lastOut    int64 // when the last collage went out
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
	if run.sc.Network.Kind != DistNone || run.background > 0 || run.onAnswer != nil || run.sc.ForceEvents {
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
	single, collage, ok := run.directEligible()
	if !ok {
		return run.giveUp(nil, "not a strategy and set-up the direct path takes")
	}
	d := &direct{run: run, srv: make([]dServer, len(run.servers)), single: single, collage: collage, maxSrv: -1}
	if s, ok := run.strat.(*replicateStrategy); ok {
		d.rep = s
	}
	if collage >= 0 {
		s := run.strat.(*collageStrategy)
		d.k, d.model, d.maxWait, d.encode, d.lastOut = s.k, s.model, s.maxWait, s.gs.encode, -1
		d.deadline, d.deadlineNs = s.deadline, s.deadlineNs
	}
	bound := run.sc.Stability.MaxOutstanding
	b := max(1, run.sc.Arrivals.Batch)
	d.arrKey = pushKey{t: -1} // the first arrival is scheduled before anything else
	a, more := run.nextArrival(0)
	for more {
		if uint64(a) > uint64(MaxTime) {
			return run.giveUp(d, "an arrival past MaxTime: the event loop refuses it with its message")
		}
		for k := 0; k < b; k++ {
			if run.total >= 0 && run.issued >= run.total {
				break
			}
			id := run.issued
			run.issued++
			if d.request(id, a); d.failed {
				return run.giveUp(d, "")
			}
		}
		run.lastArrival = a
		if bound > 0 && d.pending > bound {
			return run.giveUp(d, "maybe over max_outstanding: the event loop says when")
		}
		if run.total >= 0 && run.issued >= run.total {
			break
		}
		d.arrKey = pushKey{t: a, np: uint64(nextArrival)}
		a, more = run.nextArrival(a)
	}
	run.arrDone = true
	if len(d.cells) > 0 {
		if d.maxWait > 0 { // the last group goes out when its max-wait ends
			d.timeOut()
		} else { // never: its requests take their S-CNN answers
			for _, c := range d.cells {
				d.useSingle(c)
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
	run.now = end
	run.checkDrain()
	if run.m.Unstable {
		return run.giveUp(d, "unstable at the end: its note counts the backlog, which the event loop knows")
	}
	return run.finish(), true
}

// request takes request id arriving at a.
func (d *direct) request(id, a int64) {
	if d.rep != nil {
		d.replicate(id, a)
		return
	}
	s, t := d.dispatch(d.single, a, reqKey(id, 0), true, d.arrKey, true)
	if d.failed {
		return
	}
	c := dCell{id: id, arrival: a, finish: t.finish, busy: t.busy(), server: s, push: t.push}
	if d.collage < 0 {
		d.useSingle(c)
		return
	}
	if d.deadline {
		if c.deadline = later(a, d.deadlineNs); c.deadline > MaxTime {
			d.fail("a deadline past MaxTime: the event loop refuses it")
			return
		}
		c.tkey = d.inArrivalKey(a)
	}
	if len(d.cells) > 0 && d.maxWait > 0 {
		switch closeAt := later(d.open, d.maxWait); {
		case closeAt == a:
			d.fail("max-wait timer and arrival at once: the calendar's order")
			return
		case closeAt < a:
			if d.timeOut(); d.failed {
				return
			}
		}
	}
	if len(d.cells) == 0 {
		d.open, d.openKey = a, d.inArrivalKey(a)
	}
	d.cells = append(d.cells, c)
	if len(d.cells) == d.k {
		d.send(a, d.arrKey, true)
	}
}

// replicate sends copies of request id, arriving at a, to distinct servers;
// the first to finish answers, and with cancellation the others are
// withdrawn then: dropped from their queue, or stopped if running and
// cancel_running says so. Each copy is the last task of its server when
// the request is taken, so a withdrawn copy only shortens its server's
// work (its server is free when the task ahead of it ends, or when it is
// stopped).
func (d *direct) replicate(id, a int64) {
	type copyOf struct {
		s int32
		t *dTask
	}
	var buf [8]copyOf
	copies := buf[:0]
	var avoid [8]int32
	av := avoid[:0]
	for c := 0; c < d.rep.copies; c++ {
		s, t := d.dispatch(d.single, a, reqKey(id, c), true, d.arrKey, true, av...)
		if d.failed {
			return
		}
		for _, o := range copies {
			if o.s == s {
				d.fail("two copies of a request on one server")
				return
			}
		}
		copies = append(copies, copyOf{s, t})
		av = append(av, s)
	}
	win := 0
	for c := 1; c < len(copies); c++ {
		w, t := copies[win].t, copies[c].t
		if t.finish < w.finish {
			win = c
		} else if t.finish == w.finish {
			switch order(t.push, w.push) {
			case -1:
				win = c
			case 0:
				d.fail("two copies of a request finish at once: the calendar's order")
				return
			}
		}
	}
	w := copies[win].t
	src := BySingle
	if win > 0 {
		src = ByReplica
	}
	at, key, busy := w.finish, w.push, w.drawn
	d.answer(id, a, at, src, copies[win].s, key)
	d.run.pools[d.single].useful += busy
	if !d.rep.cancel {
		return
	}
	for c, o := range copies {
		if c == win {
			continue
		}
		t, srv := o.t, &d.srv[o.s]
		running := t.start < at
		if t.start == at {
			switch order(t.startEv, key) {
			case -1:
				running = true
			case 0:
				d.fail("a copy starts as its request is answered: the calendar's order")
				return
			}
		}
		switch {
		case running && d.rep.cancelRunning: // stopped by the answer
			t.finish, t.push = at, key
			srv.free, srv.freeKey = at, key
		case running: // runs on
		default: // dropped from its queue; the server is free when the task ahead ends
			srv.free, srv.freeKey = t.start, t.startEv
			t.ghost, t.start, t.finish, t.push = true, at, at, key
			srv.ghosts++
		}
	}
}

// timeOut closes the open group when its max-wait timer fires; the timer
// was scheduled by the arrival of its first request.
func (d *direct) timeOut() {
	d.send(later(d.open, d.maxWait), d.openKey, false)
}

// inArrivalKey is the key of an event the arrival handler at a schedules now.
func (d *direct) inArrivalKey(a int64) pushKey {
	d.nIn++
	return pushKey{t: a, np: d.nIn<<2 | uint64(inArrival)}
}

// send closes the open group at time at, in an event scheduled at ev (an
// arrival's handler when byArrival): its collage goes out after the
// encoding time, and each of its requests takes the first of its S-CNN
// answer and its collage cell.
func (d *direct) send(at int64, ev pushKey, byArrival bool) {
	run := d.run
	gid := d.nextGID
	d.nextGID++
	out := at
	if enc := run.draw(d.encode, sidEncode, groupKey(gid, saltCollage)); enc > 0 {
		out = later(at, enc)
		// The send timer, set by the event that closed the group.
		ev = pushKey{t: at}
		if byArrival {
			ev = d.inArrivalKey(at)
		}
		byArrival = false
	}
	if out <= d.lastOut || out > MaxTime {
		d.fail("collages out of order, at once, or never: the event loop sorts them out")
		return
	}
	d.lastOut = out
	cs, ct := d.dispatch(d.collage, out, groupKey(gid, saltCollage), false, ev, byArrival)
	if d.failed {
		return
	}
	cfinish, cpush, cbusy := ct.finish, ct.push, ct.busy()
	used := false
	for _, c := range d.cells {
		if d.deadline {
			used = d.decodeDeadline(c, cs, cfinish, cpush) || used
			continue
		}
		first := c.finish < cfinish
		if c.finish == cfinish {
			switch order(c.push, cpush) {
			case -1:
				first = true
			case 0:
				d.fail("an S-CNN answer and its collage at once: the calendar's order")
				return
			}
		}
		if !first && run.Covered(c.id, d.model.Coverage) {
			d.answer(c.id, c.arrival, cfinish, ByCollage, cs, cpush)
			used = true
		} else {
			d.useSingle(c)
		}
	}
	if used {
		run.pools[d.collage].useful += cbusy
	}
	d.cells = d.cells[:0]
}

// dEvent is one of a request's events for the deadline decoder.
type dEvent struct {
	t    int64
	key  pushKey
	kind uint8 // evS (its S-CNN answer), evT (its deadline), evC (its collage)
}

const (
	evS uint8 = iota
	evT
	evC
)

// decodeDeadline answers cell c's request as the deadline decoder does: its
// S-CNN answer, its deadline and its collage (from server cs, at cfinish,
// scheduled at cpush) taken in the calendar's order. It reports whether
// the collage was used (its cell was kept or answered).
func (d *direct) decodeDeadline(c dCell, cs int32, cfinish int64, cpush pushKey) bool {
	evs := [3]dEvent{{c.finish, c.push, evS}, {c.deadline, c.tkey, evT}, {cfinish, cpush, evC}}
	// Sort the three in the calendar's order.
	for i := 1; i < 3; i++ {
		for j := i; j > 0; j-- {
			a, b := &evs[j-1], &evs[j]
			o := 0
			switch {
			case a.t < b.t:
				o = -1
			case a.t > b.t:
				o = 1
			default:
				o = order(a.key, b.key)
			}
			if o == 0 {
				d.fail("two events of one request at once under the deadline decoder: the calendar's order")
				return false
			}
			if o < 0 {
				break
			}
			*a, *b = *b, *a
		}
	}
	covered := d.run.Covered(c.id, d.model.Coverage)
	cellIn, late, used := false, false, false
	for _, e := range evs {
		switch e.kind {
		case evS:
			d.useSingle(c)
			return used
		case evT:
			if cellIn {
				d.answer(c.id, c.arrival, c.deadline, ByCollage, -1, c.tkey)
				return used
			}
			late = true
		case evC:
			if !covered {
				continue
			}
			used = true
			if !late {
				cellIn = true
				continue
			}
			d.answer(c.id, c.arrival, cfinish, ByCollage, cs, cpush)
			return used
		}
	}
	panic("sim: direct path: a request without an answer")
}

// useSingle answers cell c's request with its S-CNN task.
func (d *direct) useSingle(c dCell) {
	d.answer(c.id, c.arrival, c.finish, BySingle, c.server, c.push)
	d.run.pools[d.single].useful += c.busy
}

// answer counts request id's answer at time at, by the finish of a task of
// server s scheduled at push.
func (d *direct) answer(id, arrival, at int64, src Source, s int32, push pushKey) {
	run := d.run
	lat := at - arrival
	if lat > run.sc.Stability.MaxLatency && run.sc.Stability.MaxLatency > 0 {
		d.fail("a latency over max_latency: the event loop stops the run there")
		return
	}
	switch {
	case at > d.maxAns:
		d.maxAns, d.maxSrv, d.maxPush = at, s, push
		d.flushQueued(at)
	case at == d.maxAns && (s != d.maxSrv || push != d.maxPush):
		switch order(push, d.maxPush) {
		case 1:
			d.maxSrv, d.maxPush = s, push
		case 0:
			d.fail("two last answers at once: the calendar's order")
			return
		}
	}
	if id >= run.sc.Warmup {
		run.record(Req{Slot: -1, ID: id}, lat, src)
	}
}

// dispatch sends the task with key to pool pi at time t, by an event
// scheduled at ev (an arrival's handler when byArrival), and returns its
// server and the task (valid until the next dispatch).
func (d *direct) dispatch(pi int32, t int64, key drawKey, single bool, ev pushKey, byArrival bool, avoid ...int32) (int32, *dTask) {
	run := d.run
	p := &run.pools[pi]
	s := run.choose(p, key, avoid)
	srv := &d.srv[s]
	// Tasks over before this event are done: count them and drop them.
	for srv.head < len(srv.q) {
		e := &srv.q[srv.head]
		if e.finish > t {
			break
		}
		if e.finish == t {
			o := order(e.push, ev)
			if o == 0 {
				d.fail("a dispatch and a finish at once on one server: the calendar's order")
				return 0, nil
			}
			if o > 0 {
				break // the finish comes after: still running at the dispatch
			}
		}
		if !single && t > d.maxAns {
			// A collage sent after every answer so far may be sent after
			// the run's end: then this task may still run at the end.
			d.limbo = append(d.limbo, dLimbo{s, t, *e})
		} else {
			d.complete(p, s, e)
		}
		if e.ghost {
			srv.ghosts--
		}
		srv.head++
		if single {
			d.pending--
		}
	}
	// Ghosts behind the running task left the queue when they were cancelled.
	if srv.ghosts > 0 {
		k := srv.head
		for i := srv.head; i < len(srv.q); i++ {
			e := &srv.q[i]
			if e.ghost && e.finish <= t {
				o := -1
				if e.finish == t {
					o = order(e.push, ev)
				}
				if o == 0 {
					d.fail("a dispatch and a cancellation at once on one server: the calendar's order")
					return 0, nil
				}
				if o < 0 {
					d.complete(p, s, e)
					srv.ghosts--
					if single {
						d.pending--
					}
					continue
				}
			}
			srv.q[k] = *e
			k++
		}
		srv.q = srv.q[:k]
	}
	// Compact the FIFO when its dropped front is as long as the rest.
	if srv.head > 0 && srv.head >= len(srv.q)-srv.head {
		srv.q = srv.q[:copy(srv.q, srv.q[srv.head:])]
		srv.head = 0
	}
	waiting := len(srv.q) - srv.head // queued, or running at the dispatch
	if waiting > 0 {
		// The head has started by t; at t itself, it is running if the
		// event that started it came first: its own dispatch (earlier, as
		// the FIFO's order is the order of dispatch), or the finish of the
		// task ahead of it, scheduled at h.startEv.
		h := &srv.q[srv.head]
		if h.ghost {
			d.fail("a cancelled task at the head of a queue")
			return 0, nil
		}
		running := h.start < t || h.atDispatch
		if !running {
			switch order(h.startEv, ev) {
			case -1:
				running = true
			case 0:
				d.fail("a dispatch and a start at once on one server: the calendar's order")
				return 0, nil
			}
		}
		if running {
			waiting--
		}
	}
	queues := len(srv.q) > srv.head
	srv.q = append(srv.q, dTask{d: t})
	tk := &srv.q[len(srv.q)-1]
	if queues {
		tk.start, tk.startEv = max(t, srv.free), srv.freeKey
	} else {
		tk.start, tk.startEv, tk.atDispatch = t, ev, true
	}
	tk.push = pushKey{t: tk.start}
	if !queues && byArrival {
		tk.push = d.inArrivalKey(tk.start)
	}
	run.now = tk.start // straggler models draw at the start of service
	busy := run.serviceTimeOf(key, &run.servers[s], p)
	if busy > MaxTime-tk.start {
		d.fail("a finish past MaxTime: the event loop refuses it")
		return 0, nil
	}
	tk.finish, tk.drawn = tk.start+busy, busy
	srv.free, srv.freeKey = tk.finish, tk.push
	if queues {
		n := int32(waiting + 1)
		if single || t < d.maxAns {
			q := &run.servers[s]
			q.maxQ = max(q.maxQ, n)
		} else {
			d.maxQ = append(d.maxQ, dQueued{d: t, s: s, n: n})
		}
	}
	if single {
		d.pending++
	}
	return s, tk
}

// flushQueued counts the queue lengths left by dispatches before end, and
// the tasks they found over.
func (d *direct) flushQueued(end int64) {
	i := 0
	for ; i < len(d.maxQ) && d.maxQ[i].d < end; i++ {
		q := &d.run.servers[d.maxQ[i].s]
		q.maxQ = max(q.maxQ, d.maxQ[i].n)
	}
	d.maxQ = d.maxQ[:copy(d.maxQ, d.maxQ[i:])]
	i = 0
	for ; i < len(d.limbo) && d.limbo[i].by < end; i++ {
		l := &d.limbo[i]
		d.complete(&d.run.pools[d.run.servers[l.s].pool], l.s, &l.t)
	}
	d.limbo = d.limbo[:copy(d.limbo, d.limbo[i:])]
}

// complete counts task e of server s of pool p, over before the run ended.
func (d *direct) complete(p *pool, s int32, e *dTask) {
	d.started(p, s, e, e.busy())
}

// started counts task e of server s of pool p, started before the run
// ended, with busy ns of service by then.
func (d *direct) started(p *pool, s int32, e *dTask, busy int64) {
	run := d.run
	if e.ghost { // queued until it was cancelled, never started
		p.qArea.addProduct(1, uint64(e.finish-e.d))
		return
	}
	srv := &run.servers[s]
	p.started++
	srv.started++
	srv.svc += e.drawn
	run.tasksRun++
	p.busy += busy
	if e.start > e.d {
		p.qArea.addProduct(1, uint64(e.start-e.d))
	}
}

// close counts the tasks left in the FIFOs at end, the time of the last
// answer, as the event loop leaves them when it stops after that answer's
// event: over, running (busy until end) or still queued. A task starting at
// end started if the event that starts it came before the last answer's.
// False where the order cannot be told.
func (d *direct) close(end int64) bool {
	run := d.run
	for s := range d.srv {
		srv := &d.srv[s]
		for i := srv.head; i < len(srv.q); i++ {
			if !d.closeTask(int32(s), &srv.q[i], end) {
				return false
			}
		}
	}
	for i := range d.limbo {
		if !d.closeTask(d.limbo[i].s, &d.limbo[i].t, end) {
			return false
		}
	}
	for pi := range run.pools {
		run.pools[pi].qSince = end
	}
	return true
}

// closeTask counts task e of server s as close does.
func (d *direct) closeTask(s int32, e *dTask, end int64) bool {
	run := d.run
	p := &run.pools[run.servers[s].pool]
	if e.ghost { // cancelled by an answer, so by end
		d.started(p, s, e, 0)
		return true
	}
	startedBy := e.start < end
	switch {
	case e.d > end: // sent after the last answer: the event loop never sends it
		return true
	case e.d == end:
		return false
	case e.start == end:
		switch order(e.startEv, d.maxPush) {
		case -1:
			startedBy = true
		case 0:
			if e.startEv != d.maxPush || s != d.maxSrv {
				return false
			}
			startedBy = true // by the last answer's own event
		}
	}
	switch {
	case e.finish <= end && startedBy:
		d.complete(p, s, e)
	case startedBy: // running: busy until end
		d.started(p, s, e, end-e.start)
	default: // still queued
		run.servers[s].queued++
		p.queued++
		p.qArea.addProduct(1, uint64(end-e.d))
	}
	return true
}
