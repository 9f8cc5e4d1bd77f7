package sim

import (
	"testing"
)

// With cancel_running, once a request is answered no other copy answers.
func TestCancelledCopyNeverAnswers(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, P: 0.2, Slowdown: 5}}
	for _, s := range []int{1, 2} {
		sc.Strategies[s].CancelRunning = true
		run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		stale := 0
		run.strat = &spyStrategy{Strategy: run.strat, done: func(run *Run, tk *Task) {
			if !run.Live(tk.Req) {
				stale++
			}
		}}
		m := run.execute()
		if stale > 0 {
			t.Errorf("%s seed %d: %d answers from copies that were cancelled", sc.Strategies[s].Name, sc.Seed, stale)
		}
		if m.LoadAmplification <= 1 {
			t.Errorf("%s: load amplification %v, want > 1", sc.Strategies[s].Name, m.LoadAmplification)
		}
	}
}
