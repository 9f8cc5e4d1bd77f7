package sim

// The direct path's parity strategy: each request to an S-CNN server, one
// parity task per group, and the missing answer reconstructed when all but
// one of the group's data answers and the parity answer are in.

// parityRequest takes request id arriving at a: it joins the open group
// (opening one, and its max-wait timer, first), then goes to an S-CNN
// server; a full group sends its parity task.
func (d *direct) parityRequest(id, a int64) {
	if d.closeOverdue(a); d.failed {
		return
	}
	if len(d.cells) == 0 {
		d.openGroup(a)
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
	n := len(d.cells)
	c := addSlot(&d.cells)
	*c = dCell{id: id, arrival: a, finish: t.finish, busy: t.busy(), server: s, push: t.push}
	if n+1 == d.k {
		d.send(a, d.arrKey, true)
	}
}

// reconstruct answers the open group's requests, whose parity task (server
// ps) finishes at pf, scheduled at pk, after pb ns of service. Each request
// takes its S-CNN answer, but for the one whose answer is the last to come
// when the parity answer and all the others are in: it is reconstructed
// then, after the decode time, unless its own answer comes first.
func (d *direct) reconstruct(ps int32, pf int64, pk pushKey, pb int64) {
	cells := d.cells
	n := len(cells)
	if n <= 16 {
		// Where the data answers and the parity answer all come at distinct
		// times, the calendar's order is theirs: the last and the
		// second-last data answers, and those before the parity answer, are
		// found in one pass (answers are counted the same in any order).
		last, second, p := -1, -1, 0
		distinct := true
		for i := range cells {
			f := cells[i].finish
			if f < pf {
				p++
			}
			for j := range i {
				distinct = distinct && cells[j].finish != f
			}
			distinct = distinct && f != pf
			switch {
			case last < 0 || f > cells[last].finish:
				second, last = last, i
			case second < 0 || f > cells[second].finish:
				second = i
			}
		}
		if distinct {
			d.reconstructFrom(cells, last, second, p, ps, pf, pk, pb)
			return
		}
	}
	// The data answers in the calendar's order (groups are small): their
	// indices sorted, then the cells put in that order once.
	ord := d.ord[:0]
	for i := range cells {
		ord = append(ord, int32(i))
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0; j-- {
			a, b := &cells[ord[j-1]], &cells[ord[j]]
			first, ok := b.finish < a.finish, b.finish != a.finish
			if !ok {
				first, ok = before(b.finish, b.push, a.finish, a.push)
			}
			if !ok {
				d.fail("two data answers of a parity group at once: the calendar's order")
				return
			}
			if !first {
				break
			}
			ord[j-1], ord[j] = ord[j], ord[j-1]
		}
	}
	sorted := d.sorted[:0]
	for _, i := range ord {
		sorted = append(sorted, cells[i])
	}
	d.ord, d.sorted, d.cells, cells = ord, cells, sorted, sorted
	// p data answers come before the parity answer.
	p := 0
	for p < n {
		first, ok := cells[p].finish < pf, cells[p].finish != pf
		if !ok {
			first, ok = before(cells[p].finish, cells[p].push, pf, pk)
		}
		if !ok {
			d.fail("a data answer and its parity answer at once: the calendar's order")
			return
		}
		if !first {
			break
		}
		p++
	}
	d.reconstructFrom(cells, n-1, n-2, p, ps, pf, pk, pb)
}

// reconstructFrom is reconstruct once the group's data answers are known in
// the calendar's order: last and second are the cells of the last and the
// second-last, and p data answers come before the parity answer.
func (d *direct) reconstructFrom(cells []dCell, last, second, p int, ps int32, pf int64, pk pushKey, pb int64) {
	n := len(cells)
	if p == n { // every data answer came first: nothing to reconstruct
		for i := range cells {
			d.useSingle(&cells[i])
		}
		return
	}
	// The reconstruction starts with the parity answer, or with the data
	// answer that leaves one missing, whichever is later.
	at, key, srv := pf, pk, ps
	if p < n-1 {
		at, key, srv = cells[second].finish, cells[second].push, cells[second].server
	}
	for i := range cells {
		if i != last {
			d.useSingle(&cells[i])
		}
	}
	m := &cells[last]
	run := d.run
	run.pools[d.collage].useful += pb
	dec := run.draw(&d.model.Decode, sidDecode, reqKey(m.id, 0))
	if dec <= 0 {
		d.answer(m.id, m.arrival, at, ByParity, srv, key)
		return
	}
	done := later(at, dec)
	if done > MaxTime {
		d.fail("a reconstruction past MaxTime: the event loop refuses it")
		return
	}
	timer := pushKey{t: at} // set by the event at at
	own, ok := before(m.finish, m.push, done, timer)
	if !ok {
		d.fail("an answer and its reconstruction at once: the calendar's order")
		return
	}
	if own {
		d.useSingle(m)
		return
	}
	d.answer(m.id, m.arrival, done, ByParity, -1, timer)
}
