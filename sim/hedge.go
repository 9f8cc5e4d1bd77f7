package sim

// hedgeStrategy sends one copy, and a second one if no answer came after a
// delay: to the backup pool if there is one, else to another server of the
// single pool.
type hedgeStrategy struct {
	single, backup int32
	after          int64
	cancel         bool
	cancelRunning  bool
	refs           []TaskRef // [primary, hedge] per request slot
}

func newHedge(run *Run, spec *StrategySpec, pools map[string]int32) Strategy {
	h := &hedgeStrategy{single: pools[PoolSingle], backup: pools[PoolSingle], cancel: spec.Cancel, cancelRunning: spec.CancelRunning, after: spec.HedgeAfter}
	if b, ok := pools[PoolBackup]; ok {
		h.backup = b
	}
	if spec.HedgeQuantile > 0 {
		h.after = ns(run.PoolModel(h.single).Latency.Quantile(spec.HedgeQuantile))
	}
	return h
}

func (s *hedgeStrategy) Arrive(run *Run, r Req) {
	for len(s.refs) < 2*run.ReqSlots() {
		s.refs = append(s.refs, TaskRef{})
	}
	s.refs[2*r.Slot] = run.SubmitCopy(s.single, r, 0)
	s.refs[2*r.Slot+1] = noTask
	run.AfterReq(s.after, timerHedge, r)
}

func (s *hedgeStrategy) Timer(run *Run, tm Timer) {
	r := tm.Req
	if !run.Live(r) {
		return
	}
	var avoid []int32
	if s.backup == s.single {
		if srv := run.Server(s.refs[2*r.Slot]); srv >= 0 {
			avoid = []int32{srv}
		}
	}
	s.refs[2*r.Slot+1] = run.SubmitCopy(s.backup, r, 1, avoid...)
}

func (s *hedgeStrategy) Done(run *Run, t *Task) {
	src := BySingle
	if t.Copy == 1 {
		src = ByReplica
	}
	if !run.Answer(t.Req, src) {
		return
	}
	run.Use(t)
	if s.cancel {
		run.Cancel(s.refs[2*t.Req.Slot+1-t.Copy], s.cancelRunning)
	}
}

func (s *hedgeStrategy) Lost(*Run, *Task) {}
