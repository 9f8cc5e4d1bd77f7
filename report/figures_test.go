package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func figure(t *testing.T, figs []*Figure, name string) *Figure {
	t.Helper()
	for _, f := range figs {
		if f.Name == name {
			return f
		}
	}
	var have []string
	for _, f := range figs {
		have = append(have, f.Name)
	}
	t.Fatalf("no figure %q (have %s)", name, strings.Join(have, ", "))
	return nil
}

func render(t *testing.T, f *Figure, format string, dpi int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Render(&buf, format, dpi); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenFigures checks every kind of figure against a golden SVG
// (regenerate with go test -rewrite).
func TestGoldenFigures(t *testing.T) {
	cases := []struct {
		fixture string
		res     func() *results.Results
		opt     Options
		figures []string
	}{
		{"run", runFixture, Options{}, []string{"cdf", "ccdf", "p99", "mean-std", "variance-ratio", "accuracy-p99", "cost-p99"}},
		{"sweep", sweepFixture, Options{Width: TwoColumn}, []string{"sweep-p99-arrivals.rate", "heatmap-p99-none"}},
		{"sweep", sweepFixture, Options{}, []string{"sweep-p99-pools.scnn.servers"}},
		{"long", longNamesFixture, Options{}, []string{"p99", "ccdf", "cost-p99"}},
		{"run-slo", runSLOFixture, Options{}, []string{"slo"}},
		{"sweep-slo", sweepSLOFixture, Options{}, []string{"slo", "sweep-within-pools.scnn.servers"}},
		{"sweep-within", sweepWithinFixture, Options{Width: TwoColumn}, []string{"sweep-within-arrivals.rate"}},
	}
	for _, c := range cases {
		figs, err := Figures(c.res(), c.opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range c.figures {
			f := figure(t, figs, name)
			checkGolden(t, c.fixture+"-"+c.opt.Width.String()+"-"+name+".golden.svg", render(t, f, "svg", 0))
		}
	}
}

// TestGoldenPNG checks one raster figure, at a low resolution to keep the
// golden file small.
func TestGoldenPNG(t *testing.T) {
	figs, err := Figures(runFixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "run-one-column-cdf.golden.png", render(t, figure(t, figs, "cdf"), "png", 96))
}

// TestNothingClipped renders every figure of every fixture at both widths and
// checks that nothing is drawn on the outermost pixels: no label runs off the
// figure, long strategy names included.
func TestNothingClipped(t *testing.T) {
	for _, fx := range []struct {
		name string
		res  func() *results.Results
	}{{"run", runFixture}, {"sweep", sweepFixture}, {"long", longNamesFixture}, {"run-slo", runSLOFixture}, {"sweep-within", sweepWithinFixture}} {
		for _, w := range []Width{OneColumn, TwoColumn} {
			figs, err := Figures(fx.res(), Options{Width: w})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range figs {
				img, err := png.Decode(bytes.NewReader(render(t, f, "png", 72)))
				if err != nil {
					t.Fatal(err)
				}
				if pt, ok := inkOnBorder(img); ok {
					t.Errorf("%s %s %s: ink on the figure's edge at %v", fx.name, w, f.Name, pt)
				}
			}
		}
	}
}

// TestDeterministic: the same results give the same bytes in every format.
func TestDeterministic(t *testing.T) {
	figs1, err := Figures(sweepFixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	figs2, _ := Figures(sweepFixture(), Options{})
	for i, f := range figs1 {
		if !strings.HasPrefix(f.Name, "heatmap") && f.Name != "cdf" && f.Name != "accuracy-p99" {
			continue
		}
		for _, format := range Formats {
			a, b := render(t, f, format, 72), render(t, figs2[i], format, 72)
			if !bytes.Equal(a, b) {
				t.Errorf("%s.%s: two renderings differ", f.Name, format)
			}
		}
	}
}

func TestPDFHasFixedDates(t *testing.T) {
	figs, err := Figures(runFixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := render(t, figs[0], "pdf", 0)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(20, len(b))])
	}
	if !bytes.Contains(b, []byte("/CreationDate (D:20000101000000)")) {
		t.Errorf("PDF creation date not fixed")
	}
	// The page is the figure's size in points.
	want := fmt.Sprintf("/MediaBox [0 0 %.2f %.2f]", figs[0].Width.Points(), figs[0].Height.Points())
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("PDF lacks %s", want)
	}
	// Fixing the dates must not move a byte, or the cross-reference table
	// would point to the wrong places.
	in := []byte("x /CreationDate (D:20261127061128) y /ModDate (D:20261127061128) z")
	if out := pdfFixedDates(in); len(out) != len(in) || !bytes.Contains(out, []byte("/ModDate (D:20000101000000)")) {
		t.Errorf("pdfFixedDates: %q", out)
	}
}

func TestFigureList(t *testing.T) {
	figs, err := Figures(runFixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
		if f.Width != 3.5*72 {
			t.Errorf("%s: width %v pt, want 3.5 in", f.Name, f.Width)
		}
	}
	want := "cdf ccdf p99 mean-std variance-ratio accuracy-p99 cost-p99"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("run figures: %s, want %s", got, want)
	}

	figs, err = Figures(sweepFixture(), Options{Width: TwoColumn, HeatmapStrategy: "collage-3x3"})
	if err != nil {
		t.Fatal(err)
	}
	names = names[:0]
	for _, f := range figs {
		names = append(names, f.Name)
		if f.Width != 7*72 {
			t.Errorf("%s: width %v pt, want 7 in", f.Name, f.Width)
		}
	}
	for _, m := range []string{"p99", "p999", "mean", "cost", "accuracy"} {
		want += " sweep-" + m + "-pools.scnn.servers sweep-" + m + "-arrivals.rate"
	}
	want += " heatmap-p99-collage-3x3"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("sweep figures: %s, want %s", got, want)
	}
}

// An accuracy nobody measured is left out of the accuracy figure and named
// in its note.
func TestAccuracyNA(t *testing.T) {
	res := runFixture()
	res.Points[0].Strategies[3].Summary.Accuracy.Mean = sim.Float(math.NaN())
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := figure(t, figs, "accuracy-p99")
	if got := strings.Join(f.layout.notes, "; "); !strings.Contains(got, "accuracy n/a: parity") {
		t.Errorf("notes %q do not name parity's accuracy as n/a", got)
	}
	svg := string(render(t, f, "svg", 0))
	if strings.Contains(svg, ">parity<") {
		t.Errorf("parity drawn although its accuracy is n/a")
	}
	if !strings.Contains(svg, ">collage-3x3<") {
		t.Errorf("collage-3x3 missing")
	}
}

// One replication: no confidence intervals, and the figures say so.
func TestNoConfidenceIntervals(t *testing.T) {
	res := runFixture()
	for i := range res.Points[0].Strategies {
		s := &res.Points[0].Strategies[i]
		s.Summary.P99Ms.Low, s.Summary.P99Ms.High = sim.Float(math.NaN()), sim.Float(math.NaN())
	}
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := figure(t, figs, "p99").layout.notes; len(got) != 1 || !strings.Contains(got[0], "no confidence intervals") {
		t.Errorf("p99 notes %q", got)
	}
}

func TestFileNamesUnique(t *testing.T) {
	res := sweepFixture()
	for i := range res.Points {
		res.Points[i].Strategies[0].Name = "a b"
		res.Points[i].Strategies[1].Name = "a_b"
	}
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	figure(t, figs, "heatmap-p99-a_b")
	figure(t, figs, "heatmap-p99-a_b-2")
}

// Near saturation p99 spans orders of magnitude: the sweep figure switches to
// a log axis so the other points stay readable.
func TestSweepLogAxis(t *testing.T) {
	res := sweepFixture()
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := figure(t, figs, "sweep-p99-arrivals.rate").layout.plots[0][0].Y.Label.Text; got != "p99 latency (ms)" {
		t.Errorf("linear sweep: y label %q", got)
	}
	res.Points[2].Strategies[4].Summary.P99Ms.Mean = 14252
	figs, err = Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := figure(t, figs, "sweep-p99-arrivals.rate").layout.plots[0][0]
	if got := p.Y.Label.Text; got != "p99 latency (ms, log scale)" {
		t.Errorf("y label %q", got)
	}
	var labels []string
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "500 1000 2000 5000 10000" {
		t.Errorf("log ticks %s", got)
	}
}

// Points in any order give the same sweep figure.
func TestSweepPointOrder(t *testing.T) {
	res := sweepFixture()
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := render(t, figure(t, figs, "sweep-p99-arrivals.rate"), "svg", 0)
	slices.Reverse(res.Points)
	figs, err = Figures(res, Options{Point: len(res.Points) - 1})
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, figure(t, figs, "sweep-p99-arrivals.rate"), "svg", 0)
	if !bytes.Equal(got, want) {
		t.Errorf("reversed points draw another figure")
	}
}

func TestShortNames(t *testing.T) {
	got := shortNames([]string{"replicate-equal-cost-with-cancellation-on-backup-pool", "none"})
	if got[0] != "replicate-eq…n-backup-pool" || got[1] != "none" {
		t.Errorf("shortNames: %q", got)
	}
	// Names that abbreviate alike are kept whole.
	long := []string{strings.Repeat("x", 20) + "m" + strings.Repeat("y", 20), strings.Repeat("x", 20) + "n" + strings.Repeat("y", 20)}
	if got := shortNames(long); got[0] != long[0] || got[1] != long[1] {
		t.Errorf("colliding abbreviations: %q", got)
	}
}

// longNamesFixture is the run fixture with names as long as users write them.
func longNamesFixture() *results.Results {
	res := runFixture()
	long := []string{
		"none",
		"replicate-equal-cost-with-cancellation-on-backup-pool",
		"replicate-full-cancel-running",
		"parity-model-k9-degraded-mode",
		"collage-3x3-deadline-decoder-with-resend",
	}
	for i := range res.Points[0].Strategies {
		res.Points[0].Strategies[i].Name = long[i]
		if i > 0 && i < 4 {
			// A note naming them runs wider than the figure and must wrap.
			res.Points[0].Strategies[i].Summary.Accuracy.Mean = sim.Float(math.NaN())
		}
	}
	return res
}

// TestWriteFixtures keeps testdata/run.json, the results file the example
// and the Load tests read, in step with the fixture (written under -rewrite).
func TestWriteFixtures(t *testing.T) {
	b, err := json.MarshalIndent(runFixture(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "run.json", append(b, '\n'))
}

// TestSLOFigures checks that an SLO adds the slo figure and one
// sweep-within line figure per swept parameter, and nothing else; that the
// figures without an SLO stay as they were; and that the target of a
// "within" SLO is drawn.
func TestSLOFigures(t *testing.T) {
	names := func(res *results.Results) []string {
		figs, err := Figures(res, Options{AllPoints: true})
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, f := range figs {
			ns = append(ns, f.Name)
		}
		return ns
	}
	for _, c := range []struct {
		plain, slo func() *results.Results
		added      []string
	}{
		{runFixture, runSLOFixture, []string{"slo"}},
		{sweepFixture, sweepSLOFixture, nil},
	} {
		plain, with := names(c.plain()), names(c.slo())
		var added []string
		for _, n := range with {
			if !slices.Contains(plain, n) {
				added = append(added, n)
			}
		}
		for _, n := range plain {
			if !slices.Contains(with, n) {
				t.Errorf("%s: dropped with an SLO", n)
			}
			if strings.HasPrefix(n, "slo") || strings.Contains(n, "within") {
				t.Errorf("%s: an SLO figure without an SLO", n)
			}
		}
		if c.added == nil {
			res := c.slo()
			for _, pt := range res.Points {
				c.added = append(c.added, "slo-point"+strconv.Itoa(pt.Index))
			}
			for _, k := range res.SweepParams {
				c.added = append(c.added, "sweep-within-"+fileSafe(k))
			}
		}
		if !slices.Equal(added, c.added) {
			t.Errorf("an SLO added %v, want %v", added, c.added)
		}
	}
	for _, c := range []struct {
		res  *results.Results
		want bool
	}{{runSLOFixture(), true}, {sweepSLOFixture(), false}} {
		figs, err := Figures(c.res, Options{})
		if err != nil {
			t.Fatal(err)
		}
		svg := string(render(t, figure(t, figs, "slo"), "svg", 0))
		if got := strings.Contains(svg, "SLO&#39;s target, 99 %"); got != c.want {
			t.Errorf("%s: target line noted %v, want %v", c.res.SLO.Objective, got, c.want)
		}
	}
}

func TestSLOTarget(t *testing.T) {
	for _, c := range []struct {
		objective string
		want      float64
		ok        bool
	}{
		{"within 300ms for 99%", 99, true},
		{"within 1.5s for 99.9%", 99.9, true},
		{"p99<=300ms", 0, false},
		{"within 300ms", 0, false},
		{"within 300ms for 0%", 0, false},
		{"within 300ms for 120%", 0, false},
	} {
		got, ok := sloTargetPct(&results.SLO{Objective: c.objective, WithinMs: 300})
		if ok != c.ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%q: got %g %v, want %g %v", c.objective, got, ok, c.want, c.ok)
		}
	}
}
