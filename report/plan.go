package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/sim"
)

// PlanRow is one strategy of a capacity plan: the smallest S-CNN pool that
// met the SLO (Met), or the largest tried when none did, and the strategy's
// result at that size.
type PlanRow struct {
	Strategy      string
	SingleServers int
	Met           bool
	Result        sim.StrategyResult
}

// PlanSLO is the objective a plan sized the cluster for: Metric ("p99") at
// most Ms milliseconds, judged on Bound's high end, the upper 95 %
// confidence bound.
type PlanSLO struct {
	Metric string
	Ms     float64
	// Bound returns the metric's estimate and 95 % confidence interval.
	Bound func(*sim.StrategyResult) (estimate, low, high float64)
}

// PlanFigure draws each strategy's cost per hour against the SLO metric at
// the size the plan chose: the marker at the upper confidence bound the plan
// decides on, a bar over the whole interval, the SLO as a vertical line.
// Strategies that met the SLO at no size tried are hollow markers at the
// right edge, labelled as infeasible. The figure is named "plan-cost-<metric>".
func PlanFigure(scenario string, seed uint64, slo PlanSLO, rows []PlanRow) (*Figure, error) {
	f, _, err := planFigure(scenario, seed, slo, rows)
	return f, err
}

// planFigure is PlanFigure, also returning the points it drew.
func planFigure(scenario string, seed uint64, slo PlanSLO, rows []PlanRow) (*Figure, *labelledPoints, error) {
	switch {
	case len(rows) == 0:
		return nil, nil, errors.New("report: plan figure: no strategies to draw")
	case slo.Bound == nil:
		return nil, nil, errors.New("report: plan figure: the SLO has no Bound function")
	case !(slo.Ms > 0) || math.IsInf(slo.Ms, 0):
		return nil, nil, fmt.Errorf("report: plan figure: SLO %s = %v ms: want a positive number of milliseconds", slo.Metric, slo.Ms)
	}
	lk := lookFor(OneColumn)
	names := make([]string, len(rows))
	for i, row := range rows {
		names[i] = row.Strategy
	}
	slots := styleSlotsByName(names)
	short := shortNames(names)

	feasible := &labelledPoints{text: textStyle(lk.tick)}
	type infeasible struct {
		i    int
		cost float64
	}
	var out []infeasible
	xmin, xmax := slo.Ms, slo.Ms
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, row := range rows {
		r := row.Result
		cost := float64(r.CostHour)
		if math.IsNaN(cost) || math.IsInf(cost, 0) {
			return nil, nil, fmt.Errorf("report: plan figure: strategy %s has no cost per hour", row.Strategy)
		}
		est, low, high := slo.Bound(&r)
		if !row.Met || math.IsNaN(high) || math.IsInf(high, 0) {
			out = append(out, infeasible{i, cost})
			continue
		}
		ymin, ymax = math.Min(ymin, cost), math.Max(ymax, cost)
		if math.IsNaN(low) {
			low = est
		}
		feasible.x = append(feasible.x, high)
		feasible.y = append(feasible.y, cost)
		feasible.xlo = append(feasible.xlo, low)
		feasible.xhi = append(feasible.xhi, high)
		feasible.names = append(feasible.names, short[i]+" ("+strconv.Itoa(row.SingleServers)+")")
		feasible.styles = append(feasible.styles, styleOf(slots[row.Strategy]).glyphStyle(lk))
		xmin, xmax = math.Min(xmin, low), math.Max(xmax, high)
	}
	dx := xmax - xmin
	if dx == 0 {
		dx = xmax * 0.2
	}
	// Infeasible strategies sit right of everything feasible, on the edge,
	// stacked above the feasible ones: they have no cost that meets the SLO,
	// and the cost of the largest size tried would stretch the axis.
	edge := xmax + 0.45*dx
	if math.IsInf(ymin, 0) {
		ymin, ymax = 0, 1
	}
	dy := ymax - ymin
	if dy == 0 {
		dy = math.Max(ymax*0.2, 0.5)
	}
	for k, o := range out {
		o.cost = ymax + dy*0.18*float64(k+1)
		sty := styleOf(slots[rows[o.i].Strategy]).glyphStyle(lk)
		sty.Shape = draw.RingGlyph{}
		sty.Radius *= 1.15
		feasible.x = append(feasible.x, edge)
		feasible.y = append(feasible.y, o.cost)
		feasible.xlo = append(feasible.xlo, math.NaN())
		feasible.xhi = append(feasible.xhi, math.NaN())
		feasible.names = append(feasible.names, short[o.i]+": > "+strconv.Itoa(rows[o.i].SingleServers)+" servers, infeasible")
		feasible.styles = append(feasible.styles, sty)
	}

	p := newPlot(lk, slo.Metric+" latency, upper 95 % CI bound (ms)", "cost ($ per hour)")
	addGrid(p, true, true)
	p.Add(vline{x: slo.Ms, line: draw.LineStyle{Color: color.Black, Width: 0.9, Dashes: []vg.Length{4, 2}}})
	p.Add(feasible)
	p.X.Min, p.X.Max = xmin-0.25*dx, edge
	p.Y.Min, p.Y.Max = ymin-0.15*dy, ymax+dy*(0.15+0.18*float64(len(out)))
	p.Add(&edgeMark{x: edge, show: len(out) > 0})

	notes := []string{
		"dashed line: the SLO, " + slo.Metric + " ≤ " + strconv.FormatFloat(slo.Ms, 'f', -1, 64) + " ms",
		"marker: the upper bound of the 95 % confidence interval the plan decides on; bar: the whole interval; in brackets: the S-CNN servers chosen",
	}
	if len(out) > 0 {
		notes = append(notes, "hollow, top right: no size tried met the SLO, so no cost is shown")
	}
	l := &layout{lk: lk, title: scenario + " (seed " + strconv.FormatUint(seed, 10) + "): smallest cluster per strategy",
		plots: [][]*plot.Plot{{p}}, notes: notes}
	w, h := l.size()
	return &Figure{Name: "plan-cost-" + fileSafe(slo.Metric), Title: "Cost per hour against the " + slo.Metric + " bound at the smallest cluster that meets the SLO",
		Width: w, Height: h, layout: l}, feasible, nil
}

// edgeMark draws a grey vertical line at the right edge where infeasible
// strategies stand, so they do not read as points on the latency axis.
type edgeMark struct {
	x    float64
	show bool
}

func (e *edgeMark) Plot(c draw.Canvas, p *plot.Plot) {
	if !e.show {
		return
	}
	trX, _ := p.Transforms(&c)
	x := trX(e.x)
	c.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 0x99}, Width: 0.6, Dashes: []vg.Length{1, 1.5}}, x, c.Min.Y, x, c.Max.Y)
}

func (e *edgeMark) DataRange() (xmin, xmax, ymin, ymax float64) {
	return e.x, e.x, math.Inf(1), math.Inf(-1)
}
