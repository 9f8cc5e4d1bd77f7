package report

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// newPlot returns an empty plot in the report's look.
func newPlot(lk look, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = textStyle(lk.label).Font
		ax.Tick.Label.Font = textStyle(lk.tick).Font
		ax.Tick.Length = 3
		ax.Padding = 2
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Title.TextStyle.Font = textStyle(lk.label).Font
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.Padding = 2
	p.Y.Label.Padding = 2
	return p
}

// niceTicks labels an axis at round numbers (1, 2, 2.5, 4 or 5 times a power of
// ten) spaced so that about six labels fall in the range, where gonum/plot's
// default gives three; an unlabelled minor tick sits halfway between.
type niceTicks struct{}

func (niceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step, decimals := niceStep(min, max)
	var ticks []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := first; i*step <= max+step*1e-9; i++ {
		v := i * step
		if v == 0 {
			v = 0 // no "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if mid := v + step/2; mid <= max {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	if mid := (first - 0.5) * step; mid >= min {
		ticks = append([]plot.Tick{{Value: mid}}, ticks...)
	}
	return ticks
}

// niceStep picks the round step (1, 2, 2.5, 4 or 5 times a power of ten) that
// puts closest to six labels in [min, max], and the number of decimals its
// multiples need.
func niceStep(min, max float64) (step float64, decimals int) {
	e := math.Floor(math.Log10((max - min) / 6))
	best, bestMiss := 0.0, math.Inf(1)
	for de := -1.0; de <= 1; de++ {
		pow := math.Pow(10, e+de)
		for _, m := range []float64{1, 2, 2.5, 4, 5} {
			st := m * pow
			n := math.Floor(max/st+1e-9) - math.Ceil(min/st-1e-9) + 1
			if miss := math.Abs(n - 6); miss < bestMiss-1e-9 || (math.Abs(miss-bestMiss) < 1e-9 && st > best) {
				best, bestMiss = st, miss
				decimals = -int(e + de)
				if m == 2.5 {
					decimals++
				}
			}
		}
	}
	if decimals < 0 {
		decimals = 0
	}
	return best, decimals
}

var gridColor = color.Gray{Y: 0xdd}

// addGrid adds light grid lines along the x axis, the y axis or both.
func addGrid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	g.Vertical.Width = 0.4
	g.Horizontal.Width = 0.4
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}

// categoryAxisY puts names on the y axis, the first one on top.
func categoryAxisY(p *plot.Plot, names []string) {
	n := len(names)
	ticks := make([]plot.Tick, n)
	for i, name := range names {
		ticks[i] = plot.Tick{Value: float64(n - 1 - i), Label: name}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
}
