package sim

// Timer tags of the group strategies: the low 2 bits say what fires.
const (
	tagGroupClose  = iota // payload: group slot<<32 | group generation
	tagGroupSend          // encoding done: payload as above
	tagDeadline           // collage deadline of a request: tag>>2 = slot, payload = id
	tagReconstruct        // parity decode done: tag>>2 = slot, payload = id
)

// group is a collage or parity group being filled or in flight.
type group struct {
	id      int64
	cells   []Req // requests, in cell order
	gen     uint32
	open    bool  // still taking requests
	pending int   // tasks of the group not yet answered or lost
	sent    bool  // the group task (collage, parity) was submitted
	parity  bool  // parity: its answer is in
	busy    int64 // parity: service time of the parity task
	dataIn  []bool
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

// close ends a group's filling: encode it, then send it.
func (gs *groups) close(run *Run, gi int32) {
	g := &gs.g[gi]
	g.open = false
	if gs.cur == gi {
		gs.cur = -1
	}
	if enc := run.Draw(gs.encode, sidEncode, groupKey(g.id, gs.salt)); enc > 0 {
		run.After(enc, tagGroupSend, groupPayload(gi, g.gen))
		return
	}
	gs.send(run, gi)
}

// timer handles the group timers (max-wait, encoding done); it reports
// whether tag was one of them.
func (gs *groups) timer(run *Run, tag int32, payload int64) bool {
	switch tag & 3 {
	case tagGroupClose:
		if gi, g := gs.lookup(payload); g != nil && g.open {
			gs.close(run, gi)
		}
	case tagGroupSend:
		if gi, g := gs.lookup(payload); g != nil {
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

func groupPayload(i int32, gen uint32) int64 { return int64(i)<<32 | int64(gen) }

// lookup returns the group a payload names, or nil if it is gone.
func (gs *groups) lookup(payload int64) (int32, *group) {
	i := int32(payload >> 32)
	g := &gs.g[i]
	if g.gen != uint32(payload) {
		return i, nil
	}
	return i, g
}

// add puts request r into the open group (opening one, and its max-wait
// timer, if needed) and returns the group and r's cell. full reports that the
// group just closed.
func (gs *groups) add(run *Run, r Req, maxWait int64) (i int32, cell int, full bool) {
	if gs.cur < 0 {
		gs.cur = gs.alloc()
		if maxWait > 0 {
			run.After(maxWait, tagGroupClose, groupPayload(gs.cur, gs.g[gs.cur].gen))
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

// collageStrategy sends every request to an S-CNN server at once, and every
// k = g*g requests as one collage to the Collage-CNN pool; each request takes
// its answer from whichever the decoder picks.
type collageStrategy struct {
	single, collage int32
	model           *Model
	k               int
	maxWait         int64
	deadline        bool // decoder = deadline
	deadlineNs      int64
	resend          bool
	gs              groups
	st              []collageReq // per request slot
}

// collageReq is a request's decoder state.
type collageReq struct {
	server   int32 // its S-CNN server, for a re-send to go elsewhere
	cellIn   bool  // its collage cell arrived, covered
	late     bool  // deadline passed
	resentTo int32
}

func newCollage(run *Run, spec *StrategySpec, single, cp int32, m *Model) *collageStrategy {
	s := &collageStrategy{
		single: single, collage: cp, model: m, k: spec.Grid * spec.Grid, maxWait: spec.MaxWait,
		deadline: spec.Decoder == DecoderDeadline, deadlineNs: spec.Deadline, resend: spec.Resend,
		gs: newGroups(spec.Grid*spec.Grid, saltCollage, &m.Encode),
	}
	s.gs.send = s.send
	return s
}

func (s *collageStrategy) Arrive(run *Run, r Req) {
	for len(s.st) < run.ReqSlots() {
		s.st = append(s.st, collageReq{})
	}
	ref := run.Submit(s.single, reqKey(r.ID, 0), r.ID, r.Slot, 0)
	s.st[r.Slot] = collageReq{server: run.Server(ref), resentTo: -1}
	if s.deadline {
		run.After(s.deadlineNs, r.Slot<<2|tagDeadline, r.ID)
	}
	if gi, _, full := s.gs.add(run, r, s.maxWait); full {
		s.gs.close(run, gi)
	}
}

func (s *collageStrategy) send(run *Run, gi int32) {
	g := &s.gs.g[gi]
	g.pending = 1
	run.Submit(s.collage, groupKey(g.id, saltCollage), groupPayload(gi, g.gen), gi, -1)
}

func (s *collageStrategy) Timer(run *Run, tag int32, payload int64) {
	if s.gs.timer(run, tag, payload) {
		return
	}
	switch tag & 3 {
	case tagDeadline:
		r := Req{tag >> 2, payload}
		if !run.Live(r) {
			return
		}
		st := &s.st[r.Slot]
		if st.cellIn {
			run.Answer(r, srcCollage)
			return
		}
		st.late = true
		if s.resend {
			var avoid []int32
			if st.server >= 0 {
				avoid = []int32{st.server}
			}
			run.Submit(s.single, reqKey(r.ID, 1), r.ID, r.Slot, 1, avoid...)
		}
	}
}

func (s *collageStrategy) Done(run *Run, t *Task) {
	if t.Tag >= 0 { // an S-CNN answer, first or re-sent
		src := srcSingle
		if t.Tag == 1 {
			src = srcResend
		}
		if run.Answer(Req{t.Slot, t.Owner}, src) {
			run.Use(t)
		}
		return
	}
	gi, g := s.gs.lookup(t.Owner)
	if g == nil {
		return
	}
	used := false
	for _, r := range g.cells {
		if !run.Live(r) || !run.Covered(r.ID, s.model.Coverage) {
			continue
		}
		if s.deadline && !s.st[r.Slot].late {
			// Before the deadline the S-CNN may still answer; keep the cell.
			s.st[r.Slot].cellIn = true
			used = true
			continue
		}
		run.Answer(r, srcCollage)
		used = true
	}
	if used {
		run.Use(t)
	}
	s.gs.release(gi)
}

func (s *collageStrategy) Lost(run *Run, t *Task) {
	if t.Tag < 0 {
		if gi, g := s.gs.lookup(t.Owner); g != nil {
			s.gs.release(gi)
		}
	}
}
