package testbed

import (
	"bytes"
	"math"
	"testing"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func stat(mean, lo, hi float64) sim.Stat {
	return sim.Stat{Mean: sim.Float(mean), Low: sim.Float(lo), High: sim.Float(hi)}
}

func oneStrategy(name string, mean, lo, hi float64) *results.Results {
	nan := math.NaN()
	s := sim.StrategyResult{Name: name, Kind: sim.StrategyNone, Summary: sim.Summary{
		MeanMs: stat(mean, lo, hi), StdMs: stat(1, nan, nan), P50Ms: stat(mean, nan, nan), P90Ms: stat(mean, nan, nan),
		P99Ms: stat(mean, nan, nan), P999Ms: stat(mean, nan, nan), Accuracy: stat(0.8, nan, nan),
		Sources: map[string]sim.Stat{sim.SourceSingle: stat(1, nan, nan)}},
		CDF: []sim.Quantile{{P: 0, Ms: mean / 2}, {P: 0.5, Ms: mean}, {P: 1, Ms: 2 * mean}}}
	return &results.Results{Scenario: "s", Points: []results.Point{{Strategies: []sim.StrategyResult{s}}}}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b   *results.Results
		diff   float64
		within string
	}{
		{oneStrategy("none", 100, 90, 110), oneStrategy("none", 105, 100, 112), 5, "yes"},               // intervals overlap
		{oneStrategy("none", 100, 90, 110), oneStrategy("none", 120, 115, 125), 20, "no"},               // they do not
		{oneStrategy("none", 100, 90, 110), oneStrategy("none", 108, math.NaN(), math.NaN()), 8, "yes"}, // a value in the other's interval
		{oneStrategy("none", 100, math.NaN(), math.NaN()), oneStrategy("none", 50, math.NaN(), math.NaN()), -50, "n/a"},
	} {
		rows, err := Compare(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		r := rows[0]
		if r.Metric != "mean_ms" || math.Abs(r.DiffPct-c.diff) > 1e-9 || r.WithinCI != c.within {
			t.Errorf("mean %g vs %g: got diff %g %%, within %q; want %g %%, %q", float64(r.A.Mean), float64(r.B.Mean), r.DiffPct, r.WithinCI, c.diff, c.within)
		}
	}
	if _, err := Compare(oneStrategy("none", 1, 0, 2), oneStrategy("other", 1, 0, 2)); err == nil {
		t.Error("results with no strategy in common compared without error")
	}
	png, err := CDFFigure(oneStrategy("none", 100, 90, 110), oneStrategy("none", 120, 110, 130), "sim", "testbed", "png")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("CDFFigure did not write a PNG")
	}
}
