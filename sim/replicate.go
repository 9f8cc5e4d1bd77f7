package sim

// replicateStrategy sends copies of each request to distinct servers; the
// first answer wins.
type replicateStrategy struct {
	single        int32
	copies        int
	cancel        bool
	cancelRunning bool
	refs          []TaskRef // copies per request slot
	avoid         []int32
}

func newReplicate(_ *Run, spec *StrategySpec, pools map[string]int32) Strategy {
	return &replicateStrategy{single: pools[PoolSingle], copies: max(2, spec.Copies), cancel: spec.Cancel, cancelRunning: spec.CancelRunning}
}

func (s *replicateStrategy) Arrive(run *Run, r Req) {
	for len(s.refs) < run.ReqSlots()*s.copies {
		s.refs = append(s.refs, TaskRef{})
	}
	s.avoid = s.avoid[:0]
	for c := 0; c < s.copies; c++ {
		ref := run.SubmitCopy(s.single, r, c, s.avoid...)
		s.refs[int(r.Slot)*s.copies+c] = ref
		if srv := run.Server(ref); srv >= 0 {
			s.avoid = append(s.avoid, srv)
		}
	}
}

func (s *replicateStrategy) Done(run *Run, t *Task) {
	src := BySingle
	if t.Copy > 0 {
		src = ByReplica
	}
	if !run.Answer(t.Req, src) {
		return
	}
	run.Use(t)
	if s.cancel {
		for c := 0; c < s.copies; c++ {
			if c != int(t.Copy) {
				run.Cancel(s.refs[int(t.Req.Slot)*s.copies+c], s.cancelRunning)
			}
		}
	}
}

func (s *replicateStrategy) Lost(*Run, *Task)  {}
func (s *replicateStrategy) Timer(*Run, Timer) {}
