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
	// SLO is the latency objective the command was given (--slo), if any;
	// each point then holds the share of requests within it.
	SLO *SLO `json:"slo,omitempty"`
}

// SLO is a latency objective as the results record it.
type SLO struct {
	Objective string  `json:"objective"` // as the command read it, e.g. "p99<=300ms"
	WithinMs  float64 `json:"within_ms"` // the latency bound the share within is counted against
}

// Point is one sweep point (a plain run has exactly one, with no parameters).
type Point struct {
	Index      int                  `json:"index"`
	Params     []Param              `json:"params,omitempty"`
	Strategies []sim.StrategyResult `json:"strategies"`
	// Within is, per strategy, the share of counted requests answered within
	// the SLO's bound (failed ones count as missed): the mean over
	// replications with its 95 % confidence interval. Only with an SLO.
	Within map[string]sim.Stat `json:"within,omitempty"`
}

// Param is one swept parameter's value at a point.
type Param struct {
	Key   string `json:"key"`   // key path, e.g. "pools.scnn.servers"
	Value string `json:"value"` // as written in the scenario, e.g. "60/s"
}
