package report

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// quantileAt interpolates the latency at probability p in a CDF table.
func quantileAt(cdf []sim.Quantile, p float64) float64 {
	if len(cdf) == 0 {
		return math.NaN()
	}
	if p <= cdf[0].P {
		return cdf[0].Ms
	}
	for i := 1; i < len(cdf); i++ {
		if cdf[i].P >= p {
			a, b := cdf[i-1], cdf[i]
			if b.P == a.P {
				return b.Ms
			}
			return a.Ms + (b.Ms-a.Ms)*(p-a.P)/(b.P-a.P)
		}
	}
	return cdf[len(cdf)-1].Ms
}

func (r *resolved) cdfLines(pt results.Point, y func(p float64) float64, marks []float64, keep func(q sim.Quantile) bool) (lines []plot.Plotter, legend []legendEntry) {
	return r.cdfLinesBy(pt, y, marks, func(_ sim.StrategyResult, q sim.Quantile) bool { return keep(q) })
}

func (r *resolved) cdfLinesBy(pt results.Point, y func(p float64) float64, marks []float64, keep func(s sim.StrategyResult, q sim.Quantile) bool) (lines []plot.Plotter, legend []legendEntry) {
	for _, s := range pt.Strategies {
		var xys plotter.XYs
		for _, q := range s.CDF {
			if keep(s, q) && !math.IsNaN(q.Ms) {
				xys = append(xys, plotter.XY{X: q.Ms, Y: y(q.P)})
			}
		}
		if len(xys) < 2 {
			continue
		}
		st := r.style(s.Name)
		l, err := plotter.NewLine(xys)
		if err != nil {
			continue
		}
		l.LineStyle = st.lineStyle(r.lk)
		lines = append(lines, l)
		gs := st.glyphStyle(r.lk)
		var mk plotter.XYs
		for _, p := range marks {
			if x := quantileAt(s.CDF, p); !math.IsNaN(x) && keep(s, sim.Quantile{P: p, Ms: x}) {
				mk = append(mk, plotter.XY{X: x, Y: y(p)})
			}
		}
		if sc, err := plotter.NewScatter(mk); err == nil {
			sc.GlyphStyle = gs
			lines = append(lines, sc)
		}
		legend = append(legend, legendEntry{name: r.label(s), thumbs: []plot.Thumbnailer{lineThumb{line: l.LineStyle, glyph: &gs}}})
	}
	return lines, legend
}

func (r *resolved) cdf(pt results.Point) *layout {
	// The body of the distribution is what a CDF shows; cut the x axis at the
	// largest p99.9 so one long tail does not squeeze the others.
	xmax := 0.0
	for _, s := range pt.Strategies {
		if v := quantileAt(s.CDF, 0.999); !math.IsNaN(v) {
			xmax = math.Max(xmax, v)
		}
	}
	lines, legend := r.cdfLines(pt, func(p float64) float64 { return p }, []float64{0.5, 0.99}, func(sim.Quantile) bool { return true })
	if len(lines) == 0 {
		return nil
	}
	p := newPlot(r.lk, "latency (ms)", "fraction of requests")
	addGrid(p, true, true)
	p.Add(lines...)
	p.X.Max = xmax * 1.02
	p.Y.Min, p.Y.Max = 0, 1
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, legend: legend,
		notes: []string{"markers: p50 and p99; x axis cut at the largest p99.9"}}
}

// pooledRequests is how many answered requests a strategy's pooled CDF was
// estimated from.
func pooledRequests(s sim.StrategyResult) float64 {
	n := 0.0
	for _, m := range s.Reps {
		n += float64(m.Answered)
	}
	if n == 0 {
		n = float64(s.Summary.Answered.Mean)
	}
	return n
}

func (r *resolved) ccdf(pt results.Point) *layout {
	// A tail share below 1/n of the requests a CDF was estimated from is
	// not measured; each line stops there, and the axis at the smallest such
	// share.
	floor := 1.0
	for _, s := range pt.Strategies {
		if n := pooledRequests(s); n >= 1 {
			floor = math.Min(floor, 1/n)
		}
	}
	// The y axis is log10(1-p) on a linear scale rather than 1-p on
	// plot.LogScale: gonum/plot centres the axis label at the arithmetic
	// middle of the range, which on a log scale pushes the plot down.
	lines, legend := r.cdfLinesBy(pt, func(p float64) float64 { return math.Log10(1 - p) }, []float64{0.9, 0.99, 0.999},
		func(s sim.StrategyResult, q sim.Quantile) bool {
			n := pooledRequests(s)
			return q.P < 1 && (n < 1 || 1-q.P >= 1/n*(1-1e-9))
		})
	if len(lines) == 0 {
		return nil
	}
	p := newPlot(r.lk, "latency (ms)", "requests slower than x")
	ymin := 1.0
	for _, s := range pt.Strategies {
		n := pooledRequests(s)
		for _, q := range s.CDF {
			if q.P < 1 && (n < 1 || 1-q.P >= 1/n*(1-1e-9)) {
				ymin = math.Min(ymin, 1-q.P)
			}
		}
	}
	p.Y.Tick.Marker = percentLogTicks{}
	addGrid(p, true, true)
	p.Add(lines...)
	// After Add, which would widen the axis to the data's rounding errors.
	p.Y.Min = math.Floor(math.Log10(ymin) + 1e-9)
	p.Y.Max = 0
	notes := []string{"markers: p90, p99 and p99.9"}
	if floor < 1 {
		notes[0] += "; each line ends at 1/n of the n requests it was estimated from (n = " + fmtCount(1/floor) + " here)"
	}
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, legend: legend, notes: notes}
}

// fmtCount writes a count with thousands separators: 60,000.
func fmtCount(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percentLogTicks labels an axis of log10(share) at each decade as a
// percentage (10%, 1%, 0.1%), with minor ticks between.
type percentLogTicks struct{}

func (percentLogTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Ceil(min - 1e-9); e <= max+1e-9; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, plot.Tick{Value: e, Label: strconv.FormatFloat(v*100, 'f', -1, 64) + "%"})
		for m := 2.0; m < 10; m++ {
			if lm := e + math.Log10(m); lm < max {
				ticks = append(ticks, plot.Tick{Value: lm})
			}
		}
	}
	return ticks
}
