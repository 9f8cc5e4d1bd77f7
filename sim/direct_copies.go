package sim

// The direct path's replicate and hedge strategies: copies of a request
// racing, and the losers withdrawn.

// dCopy is a copy of a request: its server, task, draw key, the source an
// answer from it counts as, and its pool.
type dCopy struct {
	s    int32
	t    *dTask
	key  drawKey
	src  Source
	pool int32
}

// replicate sends copies of request id, arriving at a, to distinct servers
// and races them. Each copy is the last task of its server when the request
// is taken, so a withdrawn copy only shortens its server's work.
func (d *direct) replicate(id, a int64) {
	if d.rep.copies == 2 {
		d.replicate2(id, a)
		return
	}
	var buf [8]dCopy
	copies := buf[:0]
	var avoid [8]int32
	av := avoid[:0]
	lazy := d.lazy()
	for c := 0; c < d.rep.copies; c++ {
		key := reqKey(id, c)
		var s int32
		var t *dTask
		switch len(av) {
		case 0:
			s, t = d.arrive(id, c, a, lazy, -1)
		case 1:
			s, t = d.arrive(id, c, a, lazy, av[0])
		default: // arrive's common case avoids one server at most
			s, t = d.place(d.single, a, key, true, d.arrKey, true, lazy, av...)
		}
		if d.failed {
			return
		}
		for _, o := range copies {
			if o.s == s {
				d.fail("two copies of a request on one server")
				return
			}
		}
		src := ByReplica
		if c == 0 {
			src = BySingle
		}
		// Written in place; copies stays on the stack (addSlot, growing it
		// through a pointer, would move buf to the heap).
		if n := len(copies); n < cap(copies) {
			copies = copies[:n+1]
			cp := &copies[n]
			cp.s, cp.t, cp.key, cp.src, cp.pool = s, t, key, src, d.single
		} else {
			copies = append(copies, dCopy{s, t, key, src, d.single})
		}
		av = append(av, s)
	}
	d.race(id, a, copies, d.rep.cancel, d.rep.cancelRunning)
}

// replicate2 is replicate of two copies, written out: no buffers of eight
// copies to clear for each request.
func (d *direct) replicate2(id, a int64) {
	lazy := d.lazy()
	s0, t0 := d.arrive(id, 0, a, lazy, -1)
	if d.failed {
		return
	}
	s1, t1 := d.arrive(id, 1, a, lazy, s0)
	if d.failed {
		return
	}
	if s1 == s0 {
		d.fail("two copies of a request on one server")
		return
	}
	x := dCopy{s0, t0, reqKey(id, 0), BySingle, d.single}
	y := dCopy{s1, t1, reqKey(id, 1), ByReplica, d.single}
	d.race2(id, a, &x, &y, d.rep.cancel, d.rep.cancelRunning)
}

// lazy reports whether copies sent to the single pool must be drawn only
// if they start: unless their service times are drawn ahead, a pure function
// of their keys, where drawing a copy that never starts changes nothing
// (withdraw then gives its server back the time).
func (d *direct) lazy() bool { return !d.ahead1 }

// race answers request id (arrived at a) with the first of its copies to
// finish (one copy, or three and more: race2 takes two). A copy sent lazily has its service drawn only if it starts: those
// starting after the first answer never start when cancel withdraws them
// (they leave their queue), or are stopped at the answer when running and
// cancelRunning.
func (d *direct) race(id, a int64, copies []dCopy, cancel, cancelRunning bool) {
	// In order of start (copies are few).
	for i := 1; i < len(copies); i++ {
		for j := i; j > 0 && copies[j].t.start < copies[j-1].t.start; j-- {
			copies[j], copies[j-1] = copies[j-1], copies[j]
		}
	}
	best := -1
	for i := range copies {
		c := &copies[i]
		if best >= 0 {
			b := copies[best].t
			if c.t.start > b.finish {
				break // starts after the answer: cannot win, nor can those after it
			}
			if c.t.start == b.finish {
				o := order(c.t.startEv, b.push)
				if o == 0 {
					d.fail("a copy starts as its request is answered: the calendar's order")
					return
				}
				if o > 0 {
					break
				}
			}
		}
		if c.t.finish < 0 && !d.draw(c.s, c.t, c.key) {
			return
		}
		if best < 0 {
			best = i
			continue
		}
		b := copies[best].t
		if c.t.finish < b.finish {
			best = i
		} else if c.t.finish == b.finish {
			switch order(c.t.push, b.push) {
			case -1:
				best = i
			case 0:
				d.fail("two copies of a request finish at once: the calendar's order")
				return
			}
		}
	}
	w := copies[best]
	at, key := w.t.finish, w.t.push
	d.answer(id, a, at, w.src, w.s, key)
	d.run.pools[w.pool].useful += w.t.drawn
	for i := range copies {
		c := &copies[i]
		if i == best {
			continue
		}
		if !cancel {
			if c.t.finish < 0 && !d.draw(c.s, c.t, c.key) { // it runs
				return
			}
			continue
		}
		if !d.withdraw(c, at, key, cancelRunning) {
			return
		}
	}
}

// race2 is race of two copies, x and y (y sent after x), written out: the
// common case of replicate and hedge.
func (d *direct) race2(id, a int64, x, y *dCopy, cancel, cancelRunning bool) {
	if y.t.start < x.t.start { // in order of start
		x, y = y, x
	}
	if x.t.finish < 0 && !d.draw(x.s, x.t, x.key) {
		return
	}
	win, lose := x, y
	// y may win unless it starts after x's answer.
	contends := y.t.start < x.t.finish
	if y.t.start == x.t.finish {
		o := order(y.t.startEv, x.t.push)
		if o == 0 {
			d.fail("a copy starts as its request is answered: the calendar's order")
			return
		}
		contends = o < 0
	}
	if contends {
		if y.t.finish < 0 && !d.draw(y.s, y.t, y.key) {
			return
		}
		if y.t.finish < x.t.finish {
			win, lose = y, x
		} else if y.t.finish == x.t.finish {
			switch order(y.t.push, x.t.push) {
			case -1:
				win, lose = y, x
			case 0:
				d.fail("two copies of a request finish at once: the calendar's order")
				return
			}
		}
	}
	at, key := win.t.finish, win.t.push
	d.answer(id, a, at, win.src, win.s, key)
	d.run.pools[win.pool].useful += win.t.drawn
	if !cancel {
		if lose.t.finish < 0 { // it runs
			d.draw(lose.s, lose.t, lose.key)
		}
		return
	}
	d.withdraw(lose, at, key, cancelRunning)
}

// withdraw cancels copy c, the last task of its server, in the event at
// time at scheduled at key: a queued task leaves the queue (a ghost), a
// running one stops if running says so. False if the order of its start
// and the cancellation cannot be told.
func (d *direct) withdraw(c *dCopy, at int64, key pushKey, running bool) bool {
	t, srv := c.t, &d.srv[c.s]
	started, ok := before(t.start, t.startEv, at, key)
	if !ok {
		d.fail("a copy starts as its request is answered: the calendar's order")
		return false
	}
	if started && t.finish < 0 && !d.draw(c.s, t, c.key) {
		return false
	}
	switch {
	case started && running: // stopped by the answer
		t.finish, t.push = at, key
		srv.free, srv.freeKey = at, key
	case started: // runs on
	default: // dropped from its queue; the server is free when the task ahead ends
		if t.finish >= 0 {
			srv.free, srv.freeKey = t.start, t.startEv
		}
		t.ghost, t.start, t.finish, t.push = true, at, at, key
		if srv.ghosts == 0 || at < srv.ghostMin {
			srv.ghostMin = at
		}
		srv.ghosts++
	}
	return true
}

// hedge sends request id, arriving at a, to the single pool, and a second
// copy to the backup pool when no answer came within the hedge delay; the
// copies race. The backup pool takes only hedges, in the order of their
// requests' arrivals.
func (d *direct) hedge(id, a int64) {
	h := d.hedgeOf
	k0 := reqKey(id, 0)
	s0, t0 := d.arrive(id, 0, a, d.lazy(), -1)
	if d.failed {
		return
	}
	timer := d.inArrivalKey(a)
	at := later(a, h.after)
	if at > MaxTime {
		d.fail("a hedge timer past MaxTime: the event loop refuses it")
		return
	}
	primary := dCopy{s0, t0, k0, BySingle, d.single}
	startsFirst, ok := before(t0.start, t0.startEv, at, timer)
	if !ok {
		d.fail("a request's copy starts as its hedge timer fires: the calendar's order")
		return
	}
	if startsFirst {
		if t0.finish < 0 && !d.draw(s0, t0, k0) { // drawn when sent unless lazy
			return
		}
		answered, ok := before(t0.finish, t0.push, at, timer)
		if !ok {
			d.fail("an answer and its hedge timer at once: the calendar's order")
			return
		}
		if answered { // the race of the primary alone
			d.answer(id, a, t0.finish, BySingle, s0, t0.push)
			d.run.pools[d.single].useful += t0.drawn
			return
		}
	}
	k1 := reqKey(id, 1)
	s1, t1 := d.place(h.backup, at, k1, true, timer, false, true)
	if d.failed {
		return
	}
	backup := dCopy{s1, t1, k1, ByReplica, h.backup}
	d.race2(id, a, &primary, &backup, h.cancel, h.cancelRunning)
}
