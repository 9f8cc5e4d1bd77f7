package testbed

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// Predict closes the loop strategy by strategy: for each strategy it writes
// the scenario calibrated with that strategy's own measured overheads
// (calibrated-<strategy>.toml and its profile, into dir), simulates it with
// requests counted requests and replications replications, and keeps that
// strategy's result. The strategies' overheads differ because each loads
// the machine differently. It returns the predictions in the scenario's
// order and the files written.
func Predict(sc *sim.Scenario, text string, o *Outcome, dir string, requests int64, replications int) ([]sim.StrategyResult, []string, error) {
	var out []sim.StrategyResult
	var paths []string
	for i := range sc.Strategies {
		name := fileName(sc.Strategies[i].Name)
		profName := "testbed-profile-" + name + ".toml"
		scText, profText, err := Calibrated(sc, text, o.ByStrategy[i], o.Facts.TimeScale, profName)
		if err != nil {
			return nil, nil, err
		}
		scPath := filepath.Join(dir, "calibrated-"+name+".toml")
		for _, f := range []struct {
			path string
			data []byte
		}{{filepath.Join(dir, profName), profText}, {scPath, scText}} {
			if err := results.WriteFileAtomic(f.path, f.data); err != nil {
				return nil, nil, err
			}
			paths = append(paths, f.path)
		}
		csc, _, err := scenarios.Load(scPath)
		if err != nil {
			return nil, nil, fmt.Errorf("testbed: the calibrated scenario does not load: %w", err)
		}
		csc.Requests = requests
		csc.Replications = max(1, replications)
		res, err := sim.Simulate(csc, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("testbed: simulating %s: %w", scPath, err)
		}
		out = append(out, res[i])
	}
	return out, paths, nil
}

// fileName keeps letters, digits, '-' and '_' of a strategy name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
