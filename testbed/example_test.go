package testbed_test

import (
	"fmt"
	"math"
	"os"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/testbed"
)

// Compare puts two runs of the same scenario side by side: here a
// simulator's prediction (5 replications, with confidence intervals) and a
// testbed run (one replication).
func ExampleCompare() {
	run := func(mean, low, high float64) *results.Results {
		st := sim.StrategyResult{Name: "none", Kind: sim.StrategyNone, Summary: sim.Summary{
			MeanMs: sim.Stat{Mean: sim.Float(mean), Low: sim.Float(low), High: sim.Float(high)}}}
		return &results.Results{Scenario: "default", Points: []results.Point{{Strategies: []sim.StrategyResult{st}}}}
	}
	nan := math.NaN()
	rows, err := testbed.Compare(run(200, 195, 205), run(204, nan, nan))
	if err != nil {
		fmt.Println(err)
		return
	}
	testbed.WriteTable(os.Stdout, rows[:1], "simulator", "testbed")
	// Output:
	// strategy   metric  simulator  testbed  diff %  within CIs
	//       none  mean_ms        200      204    +2.0         yes
}
