package sim

import (
	"fmt"
)

// Answer source indices, in the order of Sources.
const (
	srcSingle = iota
	srcCollage
	srcParity
	srcReplica
	srcResend
)

// Keys of keyed draws. A request's copy c has key reqKey(id, c) in every
// strategy, so copy 0 of request 42 has the same service time under none,
// replicate, hedge, collage and parity. Group tasks (collages, parity) have
// keys of their own.
func reqKey(id int64, copy int) uint64 { return uint64(id)<<3 | uint64(copy) }

func groupKey(gid int64, salt int) uint64 { return 1<<63 | uint64(gid)<<3 | uint64(salt) }

// Key salts for group tasks.
const (
	saltCollage = 1
	saltParity  = 2
)

// newStrategy builds the strategy of spec for run.
func newStrategy(run *Run, spec *StrategySpec) (Strategy, error) {
	pool := func(role string) (int32, error) {
		name, ok := spec.Pools[role]
		if !ok {
			return -1, fmt.Errorf("sim: strategy %q: needs a %s pool", spec.Name, role)
		}
		p := run.PoolIndex(name)
		if p < 0 {
			return -1, fmt.Errorf("sim: strategy %q: no pool %q", spec.Name, name)
		}
		return p, nil
	}
	single, err := pool(PoolSingle)
	if err != nil {
		return nil, err
	}
	acc := run.PoolModel(single).Accuracy
	run.SetAccuracy(srcSingle, acc)
	run.SetAccuracy(srcReplica, acc)
	run.SetAccuracy(srcResend, acc)
	switch spec.Kind {
	case StrategyNone:
		return &noneStrategy{single: single}, nil
	case StrategyReplicate:
		return &replicateStrategy{single: single, copies: max(2, spec.Copies), cancel: spec.Cancel, cancelRunning: spec.CancelRunning}, nil
	case StrategyHedge:
		h := &hedgeStrategy{single: single, backup: single, cancel: spec.Cancel, cancelRunning: spec.CancelRunning, after: spec.HedgeAfter}
		if _, ok := spec.Pools[PoolBackup]; ok {
			if h.backup, err = pool(PoolBackup); err != nil {
				return nil, err
			}
			run.SetAccuracy(srcReplica, run.PoolModel(h.backup).Accuracy)
		}
		if spec.HedgeQuantile > 0 {
			h.after = int64(run.PoolModel(single).Latency.Quantile(spec.HedgeQuantile))
		}
		return h, nil
	case StrategyCollage:
		cp, err := pool(PoolCollage)
		if err != nil {
			return nil, err
		}
		m := run.PoolModel(cp)
		run.SetAccuracy(srcCollage, m.Accuracy)
		return newCollage(run, spec, single, cp, m), nil
	case StrategyParity:
		pp, err := pool(PoolParity)
		if err != nil {
			return nil, err
		}
		m := run.PoolModel(pp)
		run.SetAccuracy(srcParity, m.Accuracy)
		return newParity(spec, single, pp, m), nil
	}
	return nil, fmt.Errorf("sim: strategy %q: unknown kind %q", spec.Name, spec.Kind)
}

// noneStrategy sends each request to one server.
type noneStrategy struct{ single int32 }

func (s *noneStrategy) Arrive(run *Run, r Req) {
	run.Submit(s.single, reqKey(r.ID, 0), r.ID, r.Slot, 0)
}

func (s *noneStrategy) Done(run *Run, t *Task) {
	if run.Answer(Req{t.Slot, t.Owner}, srcSingle) {
		run.Use(t)
	}
}

func (s *noneStrategy) Lost(*Run, *Task)         {}
func (s *noneStrategy) Timer(*Run, int32, int64) {}

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

func (s *replicateStrategy) Arrive(run *Run, r Req) {
	for len(s.refs) < run.ReqSlots()*s.copies {
		s.refs = append(s.refs, TaskRef{})
	}
	s.avoid = s.avoid[:0]
	for c := 0; c < s.copies; c++ {
		ref := run.Submit(s.single, reqKey(r.ID, c), r.ID, r.Slot, int32(c), s.avoid...)
		s.refs[int(r.Slot)*s.copies+c] = ref
		if srv := run.Server(ref); srv >= 0 {
			s.avoid = append(s.avoid, srv)
		}
	}
}

func (s *replicateStrategy) Done(run *Run, t *Task) {
	src := srcSingle
	if t.Tag > 0 {
		src = srcReplica
	}
	if !run.Answer(Req{t.Slot, t.Owner}, src) {
		return
	}
	run.Use(t)
	if s.cancel {
		for c := 0; c < s.copies; c++ {
			if c != int(t.Tag) {
				run.Cancel(s.refs[int(t.Slot)*s.copies+c], s.cancelRunning)
			}
		}
	}
}

func (s *replicateStrategy) Lost(*Run, *Task)         {}
func (s *replicateStrategy) Timer(*Run, int32, int64) {}

// hedgeStrategy sends one copy, and a second one if no answer came after a delay.
type hedgeStrategy struct {
	single, backup int32
	after          int64
	cancel         bool
	cancelRunning  bool
	refs           []TaskRef // [primary, hedge] per request slot
}

func (s *hedgeStrategy) Arrive(run *Run, r Req) {
	for len(s.refs) < 2*run.ReqSlots() {
		s.refs = append(s.refs, TaskRef{})
	}
	s.refs[2*r.Slot] = run.Submit(s.single, reqKey(r.ID, 0), r.ID, r.Slot, 0)
	s.refs[2*r.Slot+1] = TaskRef{i: -1}
	run.After(s.after, r.Slot, r.ID)
}

func (s *hedgeStrategy) Timer(run *Run, slot int32, id int64) {
	r := Req{slot, id}
	if !run.Live(r) {
		return
	}
	var avoid []int32
	if s.backup == s.single {
		if srv := run.Server(s.refs[2*slot]); srv >= 0 {
			avoid = []int32{srv}
		}
	}
	s.refs[2*slot+1] = run.Submit(s.backup, reqKey(id, 1), id, slot, 1, avoid...)
}

func (s *hedgeStrategy) Done(run *Run, t *Task) {
	src := srcSingle
	if t.Tag == 1 {
		src = srcReplica
	}
	if !run.Answer(Req{t.Slot, t.Owner}, src) {
		return
	}
	run.Use(t)
	if other := s.refs[2*t.Slot+1-t.Tag]; s.cancel && other.i >= 0 {
		run.Cancel(other, s.cancelRunning)
	}
}

func (s *hedgeStrategy) Lost(*Run, *Task) {}
