package scenarios_test

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

func ExampleParse() {
	doc := `requests = 1000
profile = "builtin:paper-cloud"

[arrivals]
rate = "27/s"
batch = 9

[[pools]]
name = "scnn"
model = "scnn"
servers = 9

[[strategies]]
name = "none"
kind = "none"
pools = { single = "scnn" }
`
	sc, _, err := scenarios.Parse("example.toml", []byte(doc), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.Arrivals.Rate, sc.Pools[0].Servers, sc.Profile.Name)

	// A typo is an error that names the file, the line and the key path.
	_, _, err = scenarios.Parse("example.toml", []byte(strings.Replace(doc, "servers", "sevrers", 1)), ".")
	fmt.Println(err)
	// Output:
	// example 27 9 paper-cloud
	// scenarios: example.toml:11: pools[0].sevrers: unknown key `sevrers`; did you mean `servers`?
}

func ExampleWriteProfile() {
	p := &sim.Profile{Name: "tiny", Source: "an example", Models: []sim.Model{{
		Name: "scnn", Role: sim.RoleSingle,
		Latency:  sim.Dist{Kind: sim.DistQuantiles, Values: []float64{80e6, 120e6, 700e6}},
		Accuracy: 0.91, Coverage: math.NaN(),
	}}}
	if err := scenarios.WriteProfile(os.Stdout, p); err != nil {
		fmt.Println(err)
	}
	// Output:
	// name = "tiny"
	// source = "an example"
	//
	// [[models]]
	// name = "scnn"
	// role = "single"
	// accuracy = 0.91
	//
	// [models.latency]
	// kind = "quantiles"
	// unit = "ms"
	// values = [
	//   80.0, 120.0, 700.0,
	// ]
}

func ExampleBundled() {
	for _, b := range scenarios.Bundled()[:2] {
		fmt.Println(b.Name)
	}
	sc, meta, err := scenarios.Load("builtin:default")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(meta.File, len(sc.Strategies), "strategies")
	// Output:
	// capacity-sweep
	// collage-failure
	// builtin:default 5 strategies
}
