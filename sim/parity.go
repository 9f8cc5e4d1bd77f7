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
	recon          []taskInfo // per request slot, traced runs only: the parity task of a reconstruction under way
}

func newParity(run *Run, spec *StrategySpec, pools map[string]int32) Strategy {
	single, pp := pools[PoolSingle], pools[PoolParity]
	m := run.PoolModel(pp)
	k := spec.K
	if k == 0 {
		k = spec.Grid * spec.Grid
	}
	s := &parityStrategy{single: single, parity: pp, model: m, k: k, maxWait: spec.MaxWait, gs: newGroups(k, saltParity, &m.Encode)}
	s.gs.send = s.send
	return s
}

// Arrive puts r in the open group and sends its data task, which carries
// the group: its answer or loss settles the group even after the request
// was answered by reconstruction and its slot went to another request.
func (s *parityStrategy) Arrive(run *Run, r Req) {
	gi, _, full := s.gs.add(run, r, s.maxWait)
	s.gs.g[gi].pending++
	run.SubmitInGroup(s.single, r, s.gs.ref(gi))
	if full {
		s.gs.close(run, gi)
	}
}

func (s *parityStrategy) send(run *Run, gi int32) {
	g := &s.gs.g[gi]
	g.sent = true
	g.pending++
	run.SubmitGroup(s.parity, s.gs.ref(gi), groupKey(g.id, saltParity))
}

func (s *parityStrategy) Timer(run *Run, tm Timer) {
	if !s.gs.timer(run, tm) && tm.Kind == timerReconstruct {
		if run.traced() {
			run.via = s.recon[tm.Req.Slot]
		}
		run.Answer(tm.Req, ByParity)
	}
}

func (s *parityStrategy) Done(run *Run, t *Task) {
	if t.ForRequest() {
		if run.Answer(t.Req, BySingle) {
			run.Use(t)
		}
		if gi, g := s.gs.lookup(t.Group); g != nil {
			g.dataIn[g.cell(t.Req)] = true
			s.settle(run, gi)
		}
		return
	}
	gi, g := s.gs.lookup(t.Group)
	if g == nil {
		return
	}
	g.parity = true
	g.busy = t.Busy
	if run.traced() {
		g.via = run.via
	}
	s.settle(run, gi)
}

func (s *parityStrategy) Lost(run *Run, t *Task) {
	if t.ForRequest() {
		if gi, g := s.gs.lookup(t.Group); g != nil {
			s.settle(run, gi)
		}
		return
	}
	if gi, g := s.gs.lookup(t.Group); g != nil {
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
				d := run.draw(&s.model.Decode, sidDecode, reqKey(r.ID, 0))
				if d > 0 {
					if run.traced() {
						for len(s.recon) < run.ReqSlots() {
							s.recon = append(s.recon, noInfo)
						}
						s.recon[r.Slot] = g.via
					}
					run.AfterReq(d, timerReconstruct, r)
				} else {
					if run.traced() {
						run.via = g.via
					}
					run.Answer(r, ByParity)
				}
				g.dataIn[missing] = true // reconstructed: no second reconstruction
			}
		}
	}
	if !g.open && g.sent && g.pending == 0 {
		s.gs.release(gi)
	}
}
