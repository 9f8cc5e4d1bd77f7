package report

import (
	"bytes"
	"math"

	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files, err := Write(sweepFixture(), dir, Options{Formats: []string{"svg", "pdf"}, HeatmapStrategy: "parity"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if filepath.Dir(f) != dir {
			t.Errorf("%s written outside %s", f, dir)
		}
		names = append(names, filepath.Base(f))
	}
	for _, want := range []string{"cdf.svg", "cdf.pdf", "heatmap-p99-parity.svg", "sweep-p99-arrivals.rate.pdf", "report.md", "table.csv", "table.tex", "index.html"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s not written (wrote %s)", want, strings.Join(names, " "))
		}
	}
	if slices.Contains(names, "cdf.png") || slices.Contains(names, "heatmap-p99-none.svg") {
		t.Errorf("wrote files not asked for: %s", strings.Join(names, " "))
	}
	// Every file written is listed, and no temporary file is left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
	}
	slices.Sort(onDisk)
	slices.Sort(names)
	if strings.Join(onDisk, " ") != strings.Join(names, " ") {
		t.Errorf("on disk: %s\nreturned: %s", onDisk, names)
	}
}

// index.html must open from the file system with no network: every figure
// inline, no scripts, no links to anything but the report's own files.
func TestIndexSelfContained(t *testing.T) {
	dir := t.TempDir()
	res := runFixture()
	res.ScenarioText = "name = \"<script>alert(1)</script>\"\n"
	res.Points[0].Strategies[0].Name = "none <b>&</b>"
	files, err := Write(res, dir, Options{Formats: []string{"png"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	figs, _ := Figures(res, Options{})
	if n := strings.Count(page, "<svg "); n != len(figs) {
		t.Errorf("%d inline SVGs, want %d", n, len(figs))
	}
	if strings.Contains(page, "<?xml") {
		t.Errorf("XML prolog inside the page")
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", "<b>&"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// The only absolute URLs are the SVG namespaces, which load nothing.
	for _, u := range regexp.MustCompile(`https?://[^"' )<]+`).FindAllString(page, -1) {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("external reference %s", u)
		}
	}
	// Links point at files the report wrote.
	for _, m := range regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("link to %s: %v", m[1], err)
		}
	}
	for _, want := range []string{"paper-3x3", "<dt>seed</dt><dd>1</dd>", "688.0", "[309.1, 334.9]", "&lt;script&gt;alert(1)&lt;/script&gt;", "none &lt;b&gt;&amp;&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if len(files) != 7+3+1 {
		t.Errorf("%d files, want 7 figures, 3 tables and the page", len(files))
	}
}

func TestOptionErrors(t *testing.T) {
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Formats: []string{"jpeg"}}, `unknown figure format "jpeg"`},
		{Options{Baseline: "hedge"}, `baseline "hedge": no such strategy (have none, replicate-equal-cost, replicate-full, parity, collage-3x3)`},
		{Options{Point: 1}, "point 1: results hold points 0 to 0"},
		{Options{Width: 3}, "unknown width 3"},
		{Options{DPI: -1}, "DPI -1"},
		{Options{HeatmapStrategy: "x"}, `heat map strategy "x"`},
	} {
		_, err := Write(runFixture(), t.TempDir(), c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "report: ") {
			t.Errorf("%+v: %v, want %q", c.opt, err, c.want)
		}
	}
}

// Sparse results (one strategy, no CDF, figures nobody measured) still give
// a report, with the figures that can be drawn.
func TestWriteSparse(t *testing.T) {
	nan := sim.Float(math.NaN())
	s := sim.StrategyResult{Name: "only", Kind: "none", Servers: 1, CostHour: nan}
	sm := &s.Summary
	for _, st := range []*sim.Stat{&sm.MeanMs, &sm.StdMs, &sm.VarMs2, &sm.P50Ms, &sm.P99Ms, &sm.P999Ms, &sm.Accuracy} {
		*st = sim.Stat{Mean: nan, Low: nan, High: nan}
	}
	res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim test", Scenario: "sparse",
		Points: []results.Point{{Strategies: []sim.StrategyResult{s}}}}
	dir := t.TempDir()
	files, err := Write(res, dir, Options{Formats: []string{"svg", "png", "pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if got := strings.Join(names, " "); got != "report.md table.csv table.tex index.html" {
		t.Errorf("wrote %s", got)
	}
	page, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Not drawn, as no strategy has the numbers they show: cdf, ccdf, p99, mean-std, variance-ratio, accuracy-p99, cost-p99.") {
		t.Errorf("page does not say which figures are missing")
	}

	// A strategy missing from some sweep points, the baseline among them.
	sw := sweepFixture()
	sw.Points[4].Strategies = sw.Points[4].Strategies[:3]
	if _, err := Write(sw, t.TempDir(), Options{Formats: []string{"svg"}, Point: 4}); err != nil {
		t.Fatal(err)
	}
}

// The files Write makes are the same bytes whatever the number of workers
// that render them.
func TestWriteSameBytesAnyWorkers(t *testing.T) {
	defer func(w int) { writeWorkers = w }(writeWorkers)
	var dirs []string
	for _, w := range []int{1, 7} {
		writeWorkers = w
		dir := t.TempDir()
		if _, err := Write(sweepFixture(), dir, Options{Formats: Formats, DPI: 40}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	entries, err := os.ReadDir(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 20 {
		t.Fatalf("only %d files", len(entries))
	}
	for _, e := range entries {
		a, _ := os.ReadFile(filepath.Join(dirs[0], e.Name()))
		b, err := os.ReadFile(filepath.Join(dirs[1], e.Name()))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 7 workers (%v)", e.Name(), err)
		}
	}
}
