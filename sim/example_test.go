package sim_test

import (
	"fmt"
	"math"

	"github.com/collagesim/collagesim/sim"
)

// Compare no redundancy with a 2x2 collage on four exponential servers.
func ExampleSimulate() {
	nan := math.NaN()
	sc := &sim.Scenario{
		Name: "example", Seed: 1, Requests: 20_000, Warmup: 1_000, Replications: 3,
		Arrivals: sim.Arrivals{Process: sim.ArrivalPoisson, Rate: 200, Batch: 4},
		Pools: []sim.PoolSpec{
			{Name: "scnn", Model: "scnn", Servers: 4, PricePerHour: 1},
			{Name: "collage", Model: "collage", Servers: 1, PricePerHour: 1},
		},
		Strategies: []sim.StrategySpec{
			{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "scnn"}},
			{Name: "collage", Kind: sim.StrategyCollage, Grid: 2, MaxWait: 50e6, Decoder: sim.DecoderFirst,
				Pools: map[string]string{sim.PoolSingle: "scnn", sim.PoolCollage: "collage"}},
		},
		Profile: &sim.Profile{Name: "example", Models: []sim.Model{
			{Name: "scnn", Role: sim.RoleSingle, Latency: sim.Exponential(10e6), Accuracy: 0.9, Coverage: nan},
			{Name: "collage", Role: sim.RoleCollage, Grid: 2, Latency: sim.Exponential(10e6), Accuracy: 0.8, Coverage: 1},
		}},
		Stability: sim.Stability{MaxOutstanding: 100_000},
	}
	res, err := sim.Simulate(sc, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%-8s servers %d  p99 %.0f ms  accuracy %.2f\n", r.Name, r.Servers, float64(r.Summary.P99Ms.Mean), float64(r.Summary.Accuracy.Mean))
	}
	// Output:
	// none     servers 4  p99 89 ms  accuracy 0.90
	// collage  servers 5  p99 53 ms  accuracy 0.85
}
