package report

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func (r *resolved) scatterP99(pt results.Point, ylabel string, y func(s sim.StrategyResult) sim.Stat, what string) *layout {
	lp := &labelledPoints{text: textStyle(r.lk.tick)}
	var missing []string
	for _, s := range pt.Strategies {
		x, v := float64(s.Summary.P99Ms.Mean), y(s)
		if math.IsNaN(x) || math.IsNaN(float64(v.Mean)) || math.IsInf(float64(v.Mean), 0) {
			missing = append(missing, r.short[s.Name])
			continue
		}
		lp.x = append(lp.x, x)
		lp.y = append(lp.y, float64(v.Mean))
		lp.xlo = append(lp.xlo, float64(s.Summary.P99Ms.Low))
		lp.xhi = append(lp.xhi, float64(s.Summary.P99Ms.High))
		lp.ylo = append(lp.ylo, float64(v.Low))
		lp.yhi = append(lp.yhi, float64(v.High))
		lp.names = append(lp.names, r.label(s))
		lp.styles = append(lp.styles, r.style(s.Name).glyphStyle(r.lk))
	}
	if len(lp.x) == 0 {
		return nil
	}
	p := newPlot(r.lk, "p99 latency (ms)", ylabel)
	addGrid(p, true, true)
	p.Add(lp)
	padAround(p, lp)
	var notes []string
	if anyCI(lp.xlo, lp.xhi) || anyCI(lp.ylo, lp.yhi) {
		notes = append(notes, "error bars: 95 % confidence intervals over replications")
	} else {
		notes = append(notes, "no confidence intervals: one replication")
	}
	if len(missing) > 0 {
		notes = append(notes, what+" n/a: "+strings.Join(missing, ", "))
	}
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: notes}
}

// padAround sets the axes to the points' range with room around it for
// their labels.
func padAround(p *plot.Plot, lp *labelledPoints) {
	xmin, xmax, ymin, ymax := lp.DataRange()
	dx, dy := xmax-xmin, ymax-ymin
	if dx == 0 {
		dx = math.Max(math.Abs(xmax)*0.2, 1)
	}
	if dy == 0 {
		dy = math.Max(math.Abs(ymax)*0.02, 0.5)
	}
	p.X.Min, p.X.Max = xmin-0.2*dx, xmax+0.2*dx
	p.Y.Min, p.Y.Max = ymin-0.15*dy, ymax+0.15*dy
}

func (r *resolved) accuracyP99(pt results.Point) *layout {
	return r.scatterP99(pt, "accuracy (%)", func(s sim.StrategyResult) sim.Stat { return scaled(s.Summary.Accuracy, 100) }, "accuracy")
}

func (r *resolved) costP99(pt results.Point) *layout {
	return r.scatterP99(pt, "cost ($ per hour)", func(s sim.StrategyResult) sim.Stat {
		return sim.Stat{Mean: s.CostHour, Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
	}, "cost")
}

// fmtG formats a number compactly for a tick or an annotation.
func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
