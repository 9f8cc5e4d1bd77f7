package results

import (
	"fmt"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// Baseline names the strategy that ratios (tables, figures) compare against:
// want when it is given, which must then be one of the point's strategies;
// otherwise the first strategy of kind collage, else the first strategy. It
// is the one rule for the terminal table, the report's tables and figures.
func Baseline(pt *Point, want string) (string, error) {
	if pt == nil || len(pt.Strategies) == 0 {
		return "", fmt.Errorf("results: baseline: no strategies")
	}
	if want != "" {
		var names []string
		for _, s := range pt.Strategies {
			if s.Name == want {
				return want, nil
			}
			names = append(names, s.Name)
		}
		return "", fmt.Errorf("results: baseline %q: no such strategy (have %s)", want, strings.Join(names, ", "))
	}
	for _, s := range pt.Strategies {
		if s.Kind == sim.StrategyCollage {
			return s.Name, nil
		}
	}
	return pt.Strategies[0].Name, nil
}
