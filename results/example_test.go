package results_test

import (
	"fmt"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Swept values go into summary.csv as numbers in base units when they can.
func ExampleParamColumn() {
	name, cells := results.ParamColumn("arrivals.rate", []string{"18/s", "3600/h"})
	fmt.Println(name, cells)
	name, cells = results.ParamColumn("strategies.collage.max_wait", []string{"250ms", "1.5s"})
	fmt.Println(name, cells)
	// Output:
	// arrivals.rate_per_s [18 1]
	// strategies.collage.max_wait_ms [250 1500]
}

// The baseline is the first collage strategy unless the user names one.
func ExampleBaseline() {
	pt := &results.Point{Strategies: []sim.StrategyResult{{Name: "none", Kind: "none"}, {Name: "collage-3x3", Kind: "collage"}}}
	fmt.Println(results.Baseline(pt, ""))
	fmt.Println(results.Baseline(pt, "none"))
	_, err := results.Baseline(pt, "hedge")
	fmt.Println(err)
	// Output:
	// collage-3x3 <nil>
	// none <nil>
	// results: baseline "hedge": no such strategy (have none, collage-3x3)
}
