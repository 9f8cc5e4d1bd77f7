package sim

import (
	"fmt"
	"math"
	"testing"
)

// paperLike is 9 S-CNN servers with a collage, a parity and a backup pool,
// and one strategy of each kind.
func paperLike() *Scenario {
	sc := &Scenario{
		Name: "paperlike", Seed: 3, Requests: 20_000, Warmup: 900, Replications: 3,
		Arrivals: Arrivals{Process: ArrivalPoisson, Rate: 300, Batch: 9},
		Pools: []PoolSpec{
			{Name: "scnn", Model: "exp10ms", Servers: 9, PricePerHour: 1},
			{Name: "scnn18", Model: "exp10ms", Servers: 18, PricePerHour: 1},
			{Name: "backup", Model: "exp10ms", Servers: 1, PricePerHour: 1},
			{Name: "collage", Model: "collage", Servers: 1, PricePerHour: 1},
			{Name: "parity", Model: "parity", Servers: 1, PricePerHour: 1},
		},
		Strategies: []StrategySpec{
			{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "scnn"}},
			{Name: "rep", Kind: StrategyReplicate, Copies: 2, Cancel: true, CancelRunning: true, Pools: map[string]string{PoolSingle: "scnn18"}},
			{Name: "hedge", Kind: StrategyHedge, HedgeQuantile: 0.95, Cancel: true, Pools: map[string]string{PoolSingle: "scnn", PoolBackup: "backup"}},
			{Name: "parity", Kind: StrategyParity, K: 9, MaxWait: 20e6, Pools: map[string]string{PoolSingle: "scnn", PoolParity: "parity"}},
			{Name: "collage", Kind: StrategyCollage, Grid: 3, MaxWait: 20e6, Decoder: DecoderFirst, Pools: map[string]string{PoolSingle: "scnn", PoolCollage: "collage"}},
			{Name: "deadline", Kind: StrategyCollage, Grid: 3, MaxWait: 20e6, Decoder: DecoderDeadline, Deadline: 30e6, Resend: true, Pools: map[string]string{PoolSingle: "scnn", PoolCollage: "collage"}},
		},
		Profile:   testProfile(),
		Stability: Stability{MaxOutstanding: 100_000, MaxLatency: 3600e9},
	}
	return sc
}

// runOne runs one replication of strategy s with answer hooks.
func runOne(t *testing.T, sc *Scenario, s int, on func(run *Run, r Req, arrival int64, src Source)) Metrics {
	t.Helper()
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if on != nil {
		run.onAnswer = func(r Req, arrival int64, src Source) { on(run, r, arrival, src) }
	}
	return run.execute()
}

// noQueue makes every pool large enough that no task waits.
func noQueue(sc *Scenario) {
	for i := range sc.Pools {
		sc.Pools[i].Servers = 400
	}
	sc.Arrivals.Rate = 90
}

// spyStrategy sees every answer before the strategy does.
type spyStrategy struct {
	Strategy
	done func(*Run, *Task)
}

func (s *spyStrategy) Done(run *Run, t *Task) {
	s.done(run, t)
	s.Strategy.Done(run, t)
}

// testProfile has analytic models: exponential and constant service.
func testProfile() *Profile {
	nan := math.NaN()
	return &Profile{Name: "test", Models: []Model{
		{Name: "exp10ms", Role: RoleSingle, Latency: Exponential(10e6), Accuracy: 0.9, Coverage: nan},
		{Name: "const10ms", Role: RoleSingle, Latency: Const(10e6), Accuracy: 0.9, Coverage: nan},
		{Name: "collage", Role: RoleCollage, Grid: 3, Latency: Exponential(10e6), Accuracy: 0.8, Coverage: 0.95},
		{Name: "parity", Role: RoleParity, Latency: Exponential(10e6), Accuracy: 0.7, Coverage: nan},
	}}
}

// queueScenario is one pool of c servers serving model at rate lambda (per s).
func queueScenario(model string, c int, dispatch string, lambda float64) *Scenario {
	return &Scenario{
		Name: "queue", Seed: 7, Requests: 40_000, Warmup: 2_000, Replications: 10,
		Arrivals:   Arrivals{Process: ArrivalPoisson, Rate: lambda, Batch: 1},
		Pools:      []PoolSpec{{Name: "p", Model: model, Servers: c, Dispatch: dispatch, PricePerHour: 1}},
		Strategies: []StrategySpec{{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "p"}}},
		Profile:    testProfile(),
		Stability:  Stability{MaxOutstanding: 100_000, MaxLatency: 3600e9},
	}
}

func simulate(t *testing.T, sc *Scenario) []StrategyResult {
	t.Helper()
	res, err := Simulate(sc, 0)
	if err != nil {
		t.Fatalf("seed %d: %v", sc.Seed, err)
	}
	return res
}

// within checks that want lies in the 95 % confidence interval of got.
// The interval is over the replications of res, whose seeds the message
// prints with the command that reproduces the failure.
func within(t *testing.T, res StrategyResult, what string, got Stat, want float64) {
	t.Helper()
	if !(float64(got.Low) <= want && want <= float64(got.High)) {
		t.Errorf("%s: analytic %.4g outside the 95%% CI [%.4g, %.4g] (mean %.4g); %s", what, want, float64(got.Low), float64(got.High), float64(got.Mean), reproduce(t, res))
	}
}

// reproduce names the replication seeds of res and the command that runs the
// failing test again (its scenario and seed are fixed in the test).
func reproduce(t *testing.T, res StrategyResult) string {
	var seeds []uint64
	for _, m := range res.Reps {
		seeds = append(seeds, m.Seed)
	}
	return fmt.Sprintf("strategy %s, replication seeds %v; reproduce: go test ./sim -run '^%s$' -count=1", res.Name, seeds, t.Name())
}
