package sim

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
	cells           []taskInfo   // per request slot, traced runs only: the collage task of a cell kept for the deadline
}

// collageReq is a request's decoder state.
type collageReq struct {
	server   int32 // its S-CNN server, for a re-send to go elsewhere
	cellIn   bool  // its collage cell arrived, covered
	late     bool  // deadline passed
	resentTo int32
}

func newCollage(run *Run, spec *StrategySpec, pools map[string]int32) Strategy {
	cp := pools[PoolCollage]
	m := run.PoolModel(cp)
	s := &collageStrategy{
		single: pools[PoolSingle], collage: cp, model: m, k: spec.Grid * spec.Grid, maxWait: spec.MaxWait,
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
	ref := run.SubmitCopy(s.single, r, 0)
	s.st[r.Slot] = collageReq{server: run.Server(ref), resentTo: -1}
	if s.deadline {
		run.AfterReq(s.deadlineNs, timerDeadline, r)
	}
	if gi, _, full := s.gs.add(run, r, s.maxWait); full {
		s.gs.close(run, gi)
	}
}

func (s *collageStrategy) send(run *Run, gi int32) {
	g := &s.gs.g[gi]
	g.pending = 1
	run.SubmitGroup(s.collage, s.gs.ref(gi), groupKey(g.id, saltCollage))
}

func (s *collageStrategy) Timer(run *Run, tm Timer) {
	if s.gs.timer(run, tm) {
		return
	}
	switch tm.Kind {
	case timerDeadline:
		r := tm.Req
		if !run.Live(r) {
			return
		}
		st := &s.st[r.Slot]
		if st.cellIn {
			if run.traced() {
				run.via = s.cells[r.Slot]
			}
			run.Answer(r, ByCollage)
			return
		}
		st.late = true
		if s.resend {
			var avoid []int32
			if st.server >= 0 {
				avoid = []int32{st.server}
			}
			run.SubmitCopy(s.single, r, 1, avoid...)
		}
	}
}

func (s *collageStrategy) Done(run *Run, t *Task) {
	if t.ForRequest() { // an S-CNN answer, first or re-sent
		src := BySingle
		if t.Copy == 1 {
			src = ByResend
		}
		if run.Answer(t.Req, src) {
			run.Use(t)
		}
		return
	}
	gi, g := s.gs.lookup(t.Group)
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
			if run.traced() {
				for len(s.cells) < len(s.st) {
					s.cells = append(s.cells, noInfo)
				}
				s.cells[r.Slot] = run.via
			}
			used = true
			continue
		}
		run.Answer(r, ByCollage)
		used = true
	}
	if used {
		run.Use(t)
	}
	s.gs.release(gi)
}

func (s *collageStrategy) Lost(run *Run, t *Task) {
	if !t.ForRequest() {
		if gi, g := s.gs.lookup(t.Group); g != nil {
			s.gs.release(gi)
		}
	}
}
