package sim

// noneStrategy sends each request to one server.
type noneStrategy struct{ single int32 }

func newNone(_ *Run, _ *StrategySpec, pools map[string]int32) Strategy {
	return &noneStrategy{single: pools[PoolSingle]}
}

func (s *noneStrategy) Arrive(run *Run, r Req) { run.SubmitCopy(s.single, r, 0) }

func (s *noneStrategy) Done(run *Run, t *Task) {
	if run.Answer(t.Req, BySingle) {
		run.Use(t)
	}
}

func (s *noneStrategy) Lost(*Run, *Task)  {}
func (s *noneStrategy) Timer(*Run, Timer) {}
