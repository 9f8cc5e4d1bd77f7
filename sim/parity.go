package sim

// parityStrategy (ParM) sends each request to an S-CNN server and, for every
// group of k requests, one parity task to the parity pool. When k of the k+1
// answers are in and the missing one is a data answer, the missing prediction
// is reconstructed (after the decode time) from the parity answer.
type parityStrategy struct {
	single, parity int32
	model          *Model
	k              int
	maxWait        int64
	gs             groups
	st             []parityReq
}

// parityReq places a request in its group.
type parityReq struct {
	group int32
	gen   uint32
	cell  int32
}

func newParity(spec *StrategySpec, single, pp int32, m *Model) *parityStrategy {
	k := spec.K
	if k == 0 {
		k = spec.Grid * spec.Grid
	}
	s := &parityStrategy{single: single, parity: pp, model: m, k: k, maxWait: spec.MaxWait, gs: newGroups(k, saltParity, &m.Encode)}
	s.gs.send = s.send
	return s
}

func (s *parityStrategy) Arrive(run *Run, r Req) {
	for len(s.st) < run.ReqSlots() {
		s.st = append(s.st, parityReq{})
	}
	gi, cell, full := s.gs.add(run, r, s.maxWait)
	g := &s.gs.g[gi]
	g.pending++
	s.st[r.Slot] = parityReq{group: gi, gen: g.gen, cell: int32(cell)}
	run.Submit(s.single, reqKey(r.ID, 0), r.ID, r.Slot, 0)
	if full {
		s.gs.close(run, gi)
	}
}

func (s *parityStrategy) send(run *Run, gi int32) {
	g := &s.gs.g[gi]
	g.sent = true
	g.pending++
	run.Submit(s.parity, groupKey(g.id, saltParity), groupPayload(gi, g.gen), gi, -1)
}

func (s *parityStrategy) Timer(run *Run, tag int32, payload int64) {
	if !s.gs.timer(run, tag, payload) && tag&3 == tagReconstruct {
		run.Answer(Req{tag >> 2, payload}, srcParity)
	}
}

func (s *parityStrategy) Done(run *Run, t *Task) {
	if t.Tag >= 0 {
		if run.Answer(Req{t.Slot, t.Owner}, srcSingle) {
			run.Use(t)
		}
		st := s.st[t.Slot]
		if g := &s.gs.g[st.group]; g.gen == st.gen && g.cells[st.cell].ID == t.Owner {
			g.dataIn[st.cell] = true
			s.settle(run, st.group)
		}
		return
	}
	gi, g := s.gs.lookup(t.Owner)
	if g == nil {
		return
	}
	g.parity = true
	g.busy = t.Busy
	s.settle(run, gi)
}

func (s *parityStrategy) Lost(run *Run, t *Task) {
	if t.Tag >= 0 {
		st := s.st[t.Slot]
		if g := &s.gs.g[st.group]; g.gen == st.gen && g.cells[st.cell].ID == t.Owner {
			s.settle(run, st.group)
		}
		return
	}
	if gi, g := s.gs.lookup(t.Owner); g != nil {
		s.settle(run, gi)
	}
}

// settle accounts one more task of group gi as finished (answered or lost),
// reconstructs the missing data answer when k of k+1 are in, and frees the
// group when nothing of it is left in flight.
func (s *parityStrategy) settle(run *Run, gi int32) {
	g := &s.gs.g[gi]
	g.pending--
	if !g.open && g.parity {
		missing, in := -1, 0
		for c, ok := range g.dataIn {
			if ok {
				in++
			} else {
				missing = c
			}
		}
		if in == len(g.cells)-1 {
			r := g.cells[missing]
			if run.Live(r) {
				run.UseBusy(s.parity, g.busy)
				g.busy = 0 // count it once
				d := run.Draw(&s.model.Decode, sidDecode, reqKey(r.ID, 0))
				if d > 0 {
					run.After(d, r.Slot<<2|tagReconstruct, r.ID)
				} else {
					run.Answer(r, srcParity)
				}
				g.dataIn[missing] = true // reconstructed: no second reconstruction
			}
		}
	}
	if !g.open && g.sent && g.pending == 0 {
		s.gs.release(gi)
	}
}
