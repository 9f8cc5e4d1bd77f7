package report_test

import (
	"math"
	"testing"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sweep"
)

// TestSLOTargetFromCommand reads the target share of an SLO as the command
// line records it (sweep.SLO.Results), so the report's dashed line follows
// the objective's wording if it changes.
func TestSLOTargetFromCommand(t *testing.T) {
	for _, c := range []struct {
		flag string
		want float64
		ok   bool
	}{{"within=300ms@99.9%", 0.999, true}, {"within=300ms", sweep.DefaultShare, true}, {"p99=300ms", 0, false}} {
		slo, err := sweep.ParseSLO(c.flag)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := report.SLOTarget(slo.Results())
		if ok != c.ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("--slo %s: target %g %v, want %g %v", c.flag, got, ok, c.want, c.ok)
		}
	}
	if _, ok := report.SLOTarget(&results.SLO{Objective: "within 300ms for lots", WithinMs: 300}); ok {
		t.Error("a target read from an objective without a share")
	}
}
