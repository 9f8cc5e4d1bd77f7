package sim

import (
	"testing"
)

// Parity reconstructs only data answers still missing, and only once k of the
// k+1 answers of its group are in.
func TestParityReconstructsOnlyMissingData(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, Pools: []string{"scnn"}, P: 0.1, Slowdown: 10}}
	const s = 3
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	scnnIn := map[int64]bool{}
	inner := run.strat.(*parityStrategy)
	run.strat = &spyStrategy{Strategy: inner, done: func(run *Run, tk *Task) {
		if tk.ForRequest() {
			scnnIn[tk.Req.ID] = true
		}
	}}
	bad := 0
	run.onAnswer = func(r Req, _ int64, src Source) {
		if src == ByParity && scnnIn[r.ID] {
			bad++
		}
	}
	m := run.execute()
	if bad > 0 {
		t.Errorf("seed %d: %d parity answers for requests whose S-CNN answer was in", sc.Seed, bad)
	}
	if m.Sources[SourceParity] == 0 {
		t.Errorf("no parity reconstruction at all under 10%% stragglers; the test checks nothing")
	}
	if m.Answered != m.Requests {
		t.Errorf("answered %d of %d", m.Answered, m.Requests)
	}
}

// Groups answered by reconstruction are freed once their last task is in:
// the group table stays as small as what is in flight, however many
// requests pass (it once grew with every reconstructed group).
func TestParityGroupsFreed(t *testing.T) {
	sc := paperLike()
	sc.Requests = 100_000
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, Pools: []string{"scnn"}, P: 0.1, Slowdown: 10}}
	run, err := newRun(sc, &sc.Strategies[3], RepSeed(sc.Seed, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := run.execute()
	if m.Sources[SourceParity] < 1000 {
		t.Fatalf("only %d reconstructions; the test checks little", m.Sources[SourceParity])
	}
	// 9 servers at 30 % load hold a few dozen requests at once: a few groups of 9.
	if n := len(run.strat.(*parityStrategy).gs.g); n > 100 {
		t.Errorf("seed %d: the group table grew to %d groups for %d requests (%d reconstructed); reproduce: go test ./sim -run '^TestParityGroupsFreed$'",
			sc.Seed, n, m.Requests, m.Sources[SourceParity])
	}
}
