package sim

// The direct path's collage strategy: groups, their collages, and the first
// and deadline decoders.

// dCell is a request of the collage group being filled, with its S-CNN
// task's finish and service times, server and finish's scheduling.
type dCell struct {
	id, arrival, finish, busy int64
	server                    int32
	push                      pushKey
	deadline                  int64   // deadline decoder: when the request's deadline passes
	tkey                      pushKey // and when its timer was set
}

// closeOverdue closes the open group if its max-wait ended before an
// arrival at a.
func (d *direct) closeOverdue(a int64) {
	if len(d.cells) > 0 && d.closeAt <= a { // never without a max-wait
		d.overdue(a)
	}
}

// overdue is closeOverdue once the open group's max-wait ended by a.
func (d *direct) overdue(a int64) {
	if d.closeAt == a {
		d.fail("max-wait timer and arrival at once: the calendar's order")
		return
	}
	d.timeOut()
}

// openGroup opens a group with the request arriving at a: its max-wait
// timer is set now.
func (d *direct) openGroup(a int64) {
	d.open, d.openKey = a, d.inArrivalKey(a)
	d.closeAt = MaxTime + 2 // never
	if d.maxWait > 0 {
		d.closeAt = later(a, d.maxWait)
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
	if enc := run.draw(d.encode, sidEncode, groupKey(gid, d.salt)); enc > 0 {
		out = later(at, enc)
		// The send timer, set by the event that closed the group.
		ev = pushKey{t: at}
		if byArrival {
			ev = d.inArrivalKey(at)
		}
		byArrival = false
	}
	// Group tasks go out in the order of their groups: at distinct
	// instants, or at one instant by events whose order the calendar's
	// scheduling tells.
	if out < d.lastOut || out > MaxTime || out == d.lastOut && order(d.lastOutKey, ev) >= 0 {
		d.fail("collages out of order, at once, or never: the event loop sorts them out")
		return
	}
	d.lastOut, d.lastOutKey = out, ev
	// The group task is sent before the run's end if one of the group's
	// requests is answered after out: one whose S-CNN task finishes after
	// out is (every answer it may take comes after out). Else it may come
	// after the last answer, and the event loop never sends it.
	certain := false
	for i := range d.cells {
		if d.cells[i].finish > out {
			certain = true
			break
		}
	}
	cs, ct := d.dispatch(d.collage, out, groupKey(gid, d.salt), certain, ev, byArrival)
	if d.failed {
		return
	}
	if d.par != nil {
		d.reconstruct(cs, ct.finish, ct.push, ct.busy())
		d.cells = d.cells[:0]
		return
	}
	cfinish, cpush, cbusy := ct.finish, ct.push, ct.busy()
	used := false
	for i := range d.cells {
		c := &d.cells[i]
		if d.deadline {
			used = d.decodeDeadline(c, cs, cfinish, cpush) || used
			continue
		}
		first, ok := c.finish < cfinish, c.finish != cfinish
		if !ok {
			first, ok = before(c.finish, c.push, cfinish, cpush)
		}
		if !ok {
			d.fail("an S-CNN answer and its collage at once: the calendar's order")
			return
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
func (d *direct) decodeDeadline(c *dCell, cs int32, cfinish int64, cpush pushKey) bool {
	if s, t, cf := c.finish, c.deadline, cfinish; s != t && s != cf && t != cf {
		// Three distinct times: the calendar's order is theirs. The cases
		// of the loop below, written out.
		switch {
		case s < t && s < cf: // the S-CNN answer first
			d.useSingle(c)
			return false
		case !d.run.Covered(c.id, d.model.Coverage): // the cell is lost
			d.useSingle(c)
			return false
		case cf < s && cf < t: // the cell first: kept until the answer or the deadline
			if s < t {
				d.useSingle(c)
			} else {
				d.answer(c.id, c.arrival, t, ByCollage, -1, c.tkey)
			}
			return true
		case cf < s: // the deadline, then the cell: answered by it
			d.answer(c.id, c.arrival, cf, ByCollage, cs, cpush)
			return true
		default: // the deadline, then the S-CNN answer
			d.useSingle(c)
			return false
		}
	}
	evs := [3]dEvent{{c.finish, c.push, evS}, {c.deadline, c.tkey, evT}, {cfinish, cpush, evC}}
	// Sort the three in the calendar's order.
	for i := 1; i < 3; i++ {
		for j := i; j > 0; j-- {
			a, b := &evs[j-1], &evs[j]
			first, ok := before(a.t, a.key, b.t, b.key)
			if !ok {
				d.fail("two events of one request at once under the deadline decoder: the calendar's order")
				return false
			}
			if first {
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
func (d *direct) useSingle(c *dCell) {
	d.answer(c.id, c.arrival, c.finish, BySingle, c.server, c.push)
	d.run.pools[d.single].useful += c.busy
}
