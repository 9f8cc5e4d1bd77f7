package report

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

func p99Bound(r *sim.StrategyResult) (float64, float64, float64) {
	st := r.Summary.P99Ms
	return float64(st.Mean), float64(st.Low), float64(st.High)
}

// planFixture is a plan of the run fixture's strategies for p99 <= 300 ms:
// most met it at some size, none of the sizes tried was enough for none.
func planFixture() []PlanRow {
	res := runFixture()
	sizes := map[string]int{"replicate-equal-cost": 14, "replicate-full": 9, "parity": 12, "collage-3x3": 10}
	bounds := map[string]float64{"replicate-equal-cost": 296, "replicate-full": 262, "parity": 281, "collage-3x3": 289}
	var rows []PlanRow
	for _, s := range res.Points[0].Strategies {
		n, met := sizes[s.Name]
		if !met {
			n = 64
			s.CostHour = 64 * 0.17
		} else {
			// At the chosen size the bound is just under the SLO.
			f := bounds[s.Name] / float64(s.Summary.P99Ms.High)
			s.Summary.P99Ms = sim.Stat{Mean: s.Summary.P99Ms.Mean * sim.Float(f), Low: s.Summary.P99Ms.Low * sim.Float(f), High: s.Summary.P99Ms.High * sim.Float(f)}
			s.CostHour += sim.Float(float64(n-9) * 0.17)
		}
		rows = append(rows, PlanRow{Strategy: s.Name, SingleServers: n, Met: met, Result: s})
	}
	return rows
}

func TestGoldenPlanFigure(t *testing.T) {
	f, err := PlanFigure("paper-3x3", 1, PlanSLO{Metric: "p99", Ms: 300, Bound: p99Bound}, planFixture())
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "plan-cost-p99" {
		t.Errorf("name %q", f.Name)
	}
	svg := string(render(t, f, "svg", 0))
	for _, want := range []string{"none: &gt; 64 servers, infeasible", "collage-3x3 (10)", "upper 95 % CI bound", "p99 ≤ 300 ms"} {
		if !strings.Contains(svg, want) {
			t.Errorf("plan figure lacks %q", want)
		}
	}
	checkGolden(t, "plan-cost-p99.golden.svg", []byte(svg))
	checkGolden(t, "plan-cost-p99.golden.png", render(t, f, "png", 96))
}

// The plotted value is the upper bound plan decides on, not the estimate.
func TestPlanFigurePlotsTheBound(t *testing.T) {
	rows := planFixture()
	_, lp, err := planFigure("x", 1, PlanSLO{Metric: "p99", Ms: 300, Bound: p99Bound}, rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range lp.names {
		if strings.Contains(name, "infeasible") {
			continue
		}
		want := float64(rows[i+1].Result.Summary.P99Ms.High) // rows[0], none, is infeasible and drawn last
		if math.Abs(lp.x[i]-want) > 1e-9 {
			t.Errorf("%s plotted at %v, want its upper bound %v", name, lp.x[i], want)
		}
	}
}

func TestPlanFigureBadInput(t *testing.T) {
	slo := PlanSLO{Metric: "p99", Ms: 300, Bound: p99Bound}
	if _, err := PlanFigure("x", 1, slo, nil); err == nil || !strings.Contains(err.Error(), "no strategies") {
		t.Errorf("no rows: %v", err)
	}
	slo.Ms = 0
	if _, err := PlanFigure("x", 1, slo, planFixture()); err == nil || !strings.Contains(err.Error(), "positive") {
		t.Errorf("SLO 0 ms: %v", err)
	}
	if _, err := PlanFigure("x", 1, PlanSLO{Metric: "p99", Ms: 300}, planFixture()); err == nil {
		t.Errorf("no Bound: no error")
	}
}

// Nothing of the plan figure runs off its edge, the infeasible labels
// included.
func TestPlanFigureNotClipped(t *testing.T) {
	f, err := PlanFigure("paper-3x3", 1, PlanSLO{Metric: "p99", Ms: 300, Bound: p99Bound}, planFixture())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(render(t, f, "png", 72)))
	if err != nil {
		t.Fatal(err)
	}
	if pt, ok := inkOnBorder(img); ok {
		t.Errorf("ink on the figure's edge at %v", pt)
	}
}
