package results

import "github.com/collagesim/collagesim/sim"

// ResultsVersion is the version of the results.json format. Readers refuse
// files of another version.
const ResultsVersion = 1

// Results is everything one `run` or `sweep` produced: results.json.
type Results struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"` // "collagesim <version>"
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	Points   []Point `json:"points"`
	// ScenarioText is the scenario as run (TOML), so a run can be reproduced.
	ScenarioText string `json:"scenario_text,omitempty"`
	Profile      string `json:"profile,omitempty"` // profile name
	// Overrides lists what the command line changed in the scenario text,
	// e.g. "requests=1000" (flags that change no result, such as the number
	// of workers, are not recorded: results do not depend on them).
	Overrides []string `json:"overrides,omitempty"`
	// SweepParams lists the swept key paths in order (empty for a plain run).
	SweepParams []string `json:"sweep_params,omitempty"`
}

// Point is one sweep point (a plain run has exactly one, with no parameters).
type Point struct {
	Index      int                  `json:"index"`
	Params     []Param              `json:"params,omitempty"`
	Strategies []sim.StrategyResult `json:"strategies"`
}

// Param is one swept parameter's value at a point.
type Param struct {
	Key   string `json:"key"`   // key path, e.g. "pools.scnn.servers"
	Value string `json:"value"` // as written in the scenario, e.g. "60/s"
}
