package sim

// group is a collage or parity group being filled or in flight.
type group struct {
	id      int64
	cells   []Req // requests, in cell order
	gen     uint32
	open    bool     // still taking requests
	pending int      // tasks of the group not yet answered or lost
	sent    bool     // the group task (collage, parity) was submitted
	parity  bool     // parity: its answer is in
	busy    int64    // parity: service time of the parity task
	via     taskInfo // parity, traced runs only: the parity task, for the reconstruction's trace
	dataIn  []bool
}

// cell returns r's cell in the group.
func (g *group) cell(r Req) int {
	for c, q := range g.cells {
		if q.ID == r.ID {
			return c
		}
	}
	panic("sim: a task's request is not in its group")
}

// groups is a slab of groups with generations, shared by collage and parity:
// it fills groups of k requests, closes them when full or after max-wait,
// pays the encoding time and then calls send.
type groups struct {
	g      []group
	free   []int32
	cur    int32 // the open group, -1 if none
	nextID int64
	k      int
	salt   int   // key salt of the group task
	encode *Dist // encoding time of one group
	send   func(run *Run, gi int32)
}

func newGroups(k, salt int, encode *Dist) groups {
	return groups{cur: -1, k: k, salt: salt, encode: encode}
}

// ref names group gi as it is now.
func (gs *groups) ref(gi int32) GroupRef { return GroupRef{Index: gi, Gen: gs.g[gi].gen} }

// close ends a group's filling: encode it, then send it.
func (gs *groups) close(run *Run, gi int32) {
	g := &gs.g[gi]
	g.open = false
	if gs.cur == gi {
		gs.cur = -1
	}
	if enc := run.draw(gs.encode, sidEncode, groupKey(g.id, gs.salt)); enc > 0 {
		run.AfterGroup(enc, timerGroupSend, gs.ref(gi))
		return
	}
	gs.send(run, gi)
}

// timer handles the group timers (max-wait, encoding done); it reports
// whether tm was one of them.
func (gs *groups) timer(run *Run, tm Timer) bool {
	switch tm.Kind {
	case timerGroupClose:
		if gi, g := gs.lookup(tm.Group); g != nil && g.open {
			gs.close(run, gi)
		}
	case timerGroupSend:
		if gi, g := gs.lookup(tm.Group); g != nil {
			gs.send(run, gi)
		}
	default:
		return false
	}
	return true
}

func (gs *groups) alloc() int32 {
	i := alloc(&gs.g, &gs.free)
	g := &gs.g[i]
	g.id = gs.nextID
	gs.nextID++
	g.gen++
	g.cells = g.cells[:0]
	g.dataIn = g.dataIn[:0]
	g.open = true
	g.pending = 0
	g.parity = false
	g.sent = false
	g.busy = 0
	return i
}

func (gs *groups) release(i int32) {
	gs.g[i].gen++
	gs.free = append(gs.free, i)
}

// lookup returns the group ref names, or nil if it is gone.
func (gs *groups) lookup(ref GroupRef) (int32, *group) {
	g := &gs.g[ref.Index]
	if g.gen != ref.Gen {
		return ref.Index, nil
	}
	return ref.Index, g
}

// add puts request r into the open group (opening one, and its max-wait
// timer, if needed) and returns the group and r's cell. full reports that the
// group just closed.
func (gs *groups) add(run *Run, r Req, maxWait int64) (i int32, cell int, full bool) {
	if gs.cur < 0 {
		gs.cur = gs.alloc()
		if maxWait > 0 {
			run.AfterGroup(maxWait, timerGroupClose, gs.ref(gs.cur))
		}
	}
	i = gs.cur
	g := &gs.g[i]
	g.cells = append(g.cells, r)
	g.dataIn = append(g.dataIn, false)
	cell = len(g.cells) - 1
	if len(g.cells) == gs.k {
		g.open = false
		gs.cur = -1
		return i, cell, true
	}
	return i, cell, false
}
