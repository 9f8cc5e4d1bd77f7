package sim

import "slices"

// The direct path's servers: FIFOs of tasks, and how they are counted.

func (k pushKey) place() uint8 { return uint8(k.np & 3) }

// dispatch sends the task with key to pool pi at time t, by an event
// scheduled at ev (an arrival's handler when byArrival), and returns its
// server and the task (valid until the next dispatch).
//
// certain says the dispatch happens before the run's end (else, a collage
// sent after every answer so far, it may not).
func (d *direct) dispatch(pi int32, t int64, key drawKey, certain bool, ev pushKey, byArrival bool, avoid ...int32) (int32, *dTask) {
	return d.place(pi, t, key, certain, ev, byArrival, false, avoid...)
}

// place is dispatch; when lazy, the task's service time is not drawn (its
// finish is -1): the caller draws it with draw if the task starts, or
// withdraws it from its queue, before anything else is sent to its server.
// Straggler models that keep state (markov, trace) must not see a draw for
// a task that never starts.
func (d *direct) place(pi int32, t int64, key drawKey, certain bool, ev pushKey, byArrival, lazy bool, avoid ...int32) (int32, *dTask) {
	single := pi == d.single
	run := d.run
	p := &run.pools[pi]
	var s int32
	// Round-robin, the only policy the direct path takes, with no server
	// down: choose's, skipping the servers in avoid while any other is left.
	s = p.first + p.rr
	p.advance()
	if len(avoid) > 0 && slices.Contains(avoid, s) {
		found := false
		for k := int32(1); k < p.n; k++ {
			s = p.first + p.rr
			p.advance()
			if !slices.Contains(avoid, s) {
				found = true
				break
			}
		}
		if !found {
			s = p.first + p.rr
			p.advance()
		}
	}
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
		if !certain && t > d.maxAns {
			// A collage sent after every answer so far may be sent after
			// the run's end: then this task may still run at the end.
			d.limbo = append(d.limbo, dLimbo{s, t, *e})
		} else {
			d.complete(s, e)
		}
		if e.ghost {
			srv.ghosts--
		}
		srv.head++
		if single {
			d.pending--
		}
	}
	// Ghosts behind the running task left the queue when they were
	// cancelled; none did before ghostMin.
	if srv.ghosts > 0 && srv.ghostMin <= t {
		k := srv.head
		srv.ghostMin = MaxTime + 1
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
					d.complete(s, e)
					srv.ghosts--
					if single {
						d.pending--
					}
					continue
				}
			}
			if e.ghost {
				srv.ghostMin = min(srv.ghostMin, e.finish)
			}
			if k != i {
				srv.q[k] = *e
			}
			k++
		}
		srv.q = srv.q[:k]
	}
	// Compact the FIFO when its dropped front is as long as the rest.
	if srv.head == len(srv.q) {
		srv.q, srv.head = srv.q[:0], 0
	} else if srv.head > 0 && srv.head >= len(srv.q)-srv.head {
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
	tk := addSlot(&srv.q) // every field is set below
	tk.d, tk.ghost, tk.finish, tk.drawn = t, false, -1, 0
	if queues {
		tk.start, tk.startEv, tk.atDispatch = max(t, srv.free), srv.freeKey, false
	} else {
		tk.start, tk.startEv, tk.atDispatch = t, ev, true
	}
	tk.push = pushKey{t: tk.start}
	if !queues && byArrival {
		tk.push = d.inArrivalKey(tk.start)
	}
	if !lazy && !d.draw(s, tk, key) {
		return 0, nil
	}
	if queues {
		n := int32(waiting + 1)
		if certain || t < d.maxAns {
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

// draw draws the service time of task tk of server s, the last of its
// server, with key: at its start, as the event loop does.
func (d *direct) draw(s int32, tk *dTask, key drawKey) bool {
	run := d.run
	run.now = tk.start // straggler models draw at the start of service
	srv := &run.servers[s]
	var busy int64
	ok := false
	switch d.aheadOn[srv.pool] {
	case 0:
	case 1:
		busy, ok = d.reqAhead.get(key)
	case 2:
		busy, ok = d.grpAhead.get(key)
	default:
		if busy, ok = d.reqAhead.get(key); !ok {
			busy, ok = d.grpAhead.get(key)
		}
	}
	if !ok {
		busy = run.serviceTimeOf(key, srv, &run.pools[srv.pool])
	}
	if busy > MaxTime-tk.start {
		d.fail("a finish past MaxTime: the event loop refuses it")
		return false
	}
	tk.finish, tk.drawn = tk.start+busy, busy
	ds := &d.srv[s]
	ds.free, ds.freeKey = tk.finish, tk.push
	return true
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
		d.complete(l.s, &l.t)
	}
	d.limbo = d.limbo[:copy(d.limbo, d.limbo[i:])]
}

// complete counts task e of server s, over before the run ended.
func (d *direct) complete(s int32, e *dTask) {
	d.started(s, e, e.busy())
}

// started counts task e of server s, started before the run
// ended, with busy ns of service by then, on its server's counts.
func (d *direct) started(s int32, e *dTask, busy int64) {
	ds := &d.srv[s]
	// It waited until it started, or a ghost until it left the queue (its
	// start): 0 where it started when sent.
	ds.wait.add(uint64(e.start - e.d))
	if !e.ghost { // a ghost was queued until it was cancelled, never started
		ds.started++
		ds.svc += e.drawn
		ds.busy += busy
	}
}

// fold adds the servers' counts to their servers, pools and run.
func (d *direct) fold() {
	run := d.run
	for s := range d.srv {
		ds := &d.srv[s]
		srv := &run.servers[s]
		p := &run.pools[srv.pool]
		srv.started += ds.started
		srv.svc += ds.svc
		p.started += ds.started
		run.tasksRun += ds.started
		p.busy += ds.busy
		p.qArea.addU128(ds.wait)
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
		d.started(s, e, 0)
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
		d.complete(s, e)
	case startedBy: // running: busy until end
		d.started(s, e, end-e.start)
	default: // still queued
		run.servers[s].queued++
		p.queued++
		p.qArea.addProduct(1, uint64(end-e.d))
	}
	return true
}

// arriveSlow is the general dispatch arrive hands a case over to: a call of
// its own, so that place's body is not inlined into arrive's common case.
//
//go:noinline
func (d *direct) arriveSlow(id int64, c int, a int64, lazy bool, avoid int32) (int32, *dTask) {
	if avoid >= 0 {
		return d.place(d.single, a, reqKey(id, c), true, d.arrKey, true, lazy, avoid)
	}
	return d.place(d.single, a, reqKey(id, c), true, d.arrKey, true, lazy)
}

// arrive is place(d.single, a, reqKey(id, c), true, d.arrKey, true, lazy,
// avoid) (no server to avoid where avoid is -1): copy c of request id to
// the single pool, sent by its arrival at a, in the common case written out
// without what that case never needs (no withdrawn copy leaves the server's
// queue by a, the round-robin server is not the one to avoid, a service time
// in the block drawn ahead unless lazy: step draws each batch's). Where an
// event of the server falls at a itself, or the case is not the common one,
// the general dispatch takes over from the state reached: the tasks this one
// counted over are those it counts first.
func (d *direct) arrive(id int64, c int, a int64, lazy bool, avoid int32) (int32, *dTask) {
	run := d.run
	p := d.sp
	srv := &d.srv[p.first+p.rr]
	if srv.ghosts > 0 && srv.ghostMin <= a || !lazy && !d.ahead1 ||
		p.first+p.rr == avoid {
		return d.arriveSlow(id, c, a, lazy, avoid)
	}
	// Tasks over before a.
	for srv.head < len(srv.q) {
		e := &srv.q[srv.head]
		if e.finish >= a {
			if e.finish == a {
				return d.arriveSlow(id, c, a, lazy, avoid)
			}
			break
		}
		srv.started++
		srv.svc += e.drawn
		srv.busy += e.finish - e.start
		if e.start > e.d {
			srv.wait.add(uint64(e.start - e.d))
		}
		srv.head++
		d.pending--
	}
	queues := srv.head < len(srv.q)
	waiting := len(srv.q) - srv.head
	if queues {
		// The head is running at a unless it starts at a itself.
		h := &srv.q[srv.head]
		if h.ghost || h.start >= a && !h.atDispatch {
			return d.arriveSlow(id, c, a, lazy, avoid)
		}
		waiting--
		if srv.head >= len(srv.q)-srv.head {
			srv.q = srv.q[:copy(srv.q, srv.q[srv.head:])]
			srv.head = 0
		}
	} else {
		srv.q, srv.head = srv.q[:0], 0
	}
	var busy int64
	ok := true
	if !lazy {
		busy, ok = d.reqAhead.held(reqKey(id, c))
	}
	if !ok {
		return d.arriveSlow(id, c, a, lazy, avoid)
	}
	s := p.first + p.rr
	p.advance()
	tk := addSlot(&srv.q)
	tk.d, tk.ghost = a, false
	if queues {
		tk.start, tk.startEv, tk.atDispatch = max(a, srv.free), srv.freeKey, false
		tk.push = pushKey{t: tk.start}
		q := &run.servers[s]
		q.maxQ = max(q.maxQ, int32(waiting+1))
	} else {
		tk.start, tk.startEv, tk.atDispatch = a, d.arrKey, true
		tk.push = d.inArrivalKey(a)
	}
	if lazy { // drawn by the caller if it starts
		tk.finish, tk.drawn = -1, 0
		d.pending++
		return s, tk
	}
	run.now = tk.start
	if busy > MaxTime-tk.start {
		d.fail("a finish past MaxTime: the event loop refuses it")
		return 0, nil
	}
	tk.finish, tk.drawn = tk.start+busy, busy
	srv.free, srv.freeKey = tk.finish, tk.push
	d.pending++
	return s, tk
}
