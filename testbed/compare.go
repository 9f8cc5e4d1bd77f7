package testbed

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Row is one metric of one strategy in two runs.
type Row struct {
	Strategy string
	Metric   string
	A, B     sim.Stat
	DiffPct  float64 // (B - A) / A in %; NaN when A is 0 or either is n/a
	// WithinCI: "yes" when the two 95 % intervals overlap (or the value of
	// a run without an interval lies in the other's), "no" when not, "n/a"
	// when neither run has an interval.
	WithinCI string
}

// Compare puts the strategies the two results share (by name, first
// point) side by side, metric by metric.
func Compare(a, b *results.Results) ([]Row, error) {
	if len(a.Points) == 0 || len(b.Points) == 0 {
		return nil, fmt.Errorf("testbed: compare: a results file has no points")
	}
	var rows []Row
	bs := b.Points[0].Strategies
	for _, sa := range a.Points[0].Strategies {
		i := slices.IndexFunc(bs, func(s sim.StrategyResult) bool { return s.Name == sa.Name })
		if i < 0 {
			continue
		}
		sb := &bs[i]
		ma, mb := &sa.Summary, &sb.Summary
		add := func(metric string, x, y sim.Stat) {
			rows = append(rows, Row{Strategy: sa.Name, Metric: metric, A: x, B: y, DiffPct: diffPct(x, y), WithinCI: withinCI(x, y)})
		}
		add("mean_ms", ma.MeanMs, mb.MeanMs)
		add("std_ms", ma.StdMs, mb.StdMs)
		add("p50_ms", ma.P50Ms, mb.P50Ms)
		add("p90_ms", ma.P90Ms, mb.P90Ms)
		add("p99_ms", ma.P99Ms, mb.P99Ms)
		add("p999_ms", ma.P999Ms, mb.P999Ms)
		add("accuracy", ma.Accuracy, mb.Accuracy)
		for _, src := range sim.Sources {
			x, y := ma.Sources[src], mb.Sources[src]
			if float64(x.Mean) > 0 || float64(y.Mean) > 0 {
				add("share_"+src, x, y)
			}
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("testbed: compare: the two results have no strategy name in common")
	}
	return rows, nil
}

func diffPct(a, b sim.Stat) float64 {
	x, y := float64(a.Mean), float64(b.Mean)
	if x == 0 || math.IsNaN(x) || math.IsNaN(y) {
		return math.NaN()
	}
	return 100 * (y - x) / x
}

func hasCI(s sim.Stat) bool { return !math.IsNaN(float64(s.Low)) && !math.IsNaN(float64(s.High)) }

func inCI(v float64, s sim.Stat) bool { return v >= float64(s.Low) && v <= float64(s.High) }

func withinCI(a, b sim.Stat) string {
	switch {
	case hasCI(a) && hasCI(b):
		if float64(a.Low) <= float64(b.High) && float64(b.Low) <= float64(a.High) {
			return "yes"
		}
		return "no"
	case hasCI(a):
		if inCI(float64(b.Mean), a) {
			return "yes"
		}
		return "no"
	case hasCI(b):
		if inCI(float64(a.Mean), b) {
			return "yes"
		}
		return "no"
	}
	return "n/a"
}

// WriteTable prints the comparison.
func WriteTable(w io.Writer, rows []Row, nameA, nameB string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "strategy\tmetric\t%s\t%s\tdiff %%\twithin CIs\t\n", nameA, nameB)
	f := func(s sim.Stat) string {
		v := float64(s.Mean)
		if math.IsNaN(v) {
			return "n/a"
		}
		return fmt.Sprintf("%.4g", v)
	}
	for _, r := range rows {
		d := "n/a"
		if !math.IsNaN(r.DiffPct) {
			d = fmt.Sprintf("%+.1f", r.DiffPct)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Strategy, r.Metric, f(r.A), f(r.B), d, r.WithinCI)
	}
	tw.Flush()
}

var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
}

// CDFFigure draws every shared strategy's latency CDF of both runs, A solid
// and B dashed, on a log time axis, as PNG or SVG (format).
func CDFFigure(a, b *results.Results, nameA, nameB, format string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s (solid) vs %s (dashed)", a.Scenario, nameA, nameB)
	p.X.Label.Text = "latency (ms)"
	p.Y.Label.Text = "fraction of requests"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	bs := b.Points[0].Strategies
	n := 0
	for _, sa := range a.Points[0].Strategies {
		i := slices.IndexFunc(bs, func(s sim.StrategyResult) bool { return s.Name == sa.Name })
		if i < 0 {
			continue
		}
		col := palette[n%len(palette)]
		n++
		for k, cdf := range [][]sim.Quantile{sa.CDF, bs[i].CDF} {
			var xy plotter.XYs
			for _, q := range cdf {
				if q.Ms > 0 {
					xy = append(xy, plotter.XY{X: q.Ms, Y: q.P})
				}
			}
			if len(xy) == 0 {
				continue
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("testbed: figure: %w", err)
			}
			l.Color = col
			l.Width = vg.Points(1.2)
			if k == 1 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			} else {
				p.Legend.Add(sa.Name, l)
			}
			p.Add(l)
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("testbed: figure: no strategy in common")
	}
	wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, format)
	if err != nil {
		return nil, fmt.Errorf("testbed: figure: %w", err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("testbed: figure: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteCompare writes compare.csv (strategy, metric, both values, the
// difference in % and whether the confidence intervals overlap) and the
// overlaid CDFs of a and b (compare-cdf.png, .svg) into dir.
func WriteCompare(dir string, rows []Row, a, b *results.Results, nameA, nameB string) error {
	csv := []byte("strategy,metric,a,b,diff_pct,within_ci\n")
	for _, r := range rows {
		csv = fmt.Appendf(csv, "%s,%s,%g,%g,%g,%s\n", r.Strategy, r.Metric, float64(r.A.Mean), float64(r.B.Mean), r.DiffPct, r.WithinCI)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "compare.csv"), csv); err != nil {
		return err
	}
	for _, f := range []string{"png", "svg"} {
		fig, err := CDFFigure(a, b, nameA, nameB, f)
		if err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, "compare-cdf."+f), fig); err != nil {
			return err
		}
	}
	return nil
}
