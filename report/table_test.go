package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

// want is what a table row must print for a strategy of the fixture,
// computed here from the results file's numbers, not from the report's code.
func wantCells(s, base sim.StrategyResult) []string {
	sm := s.Summary
	f1 := func(v sim.Float) string { return fmt.Sprintf("%.1f", float64(v)) }
	f2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	return []string{
		f1(sm.MeanMs.Mean), f1(sm.StdMs.Mean), fmt.Sprintf("%.0f", float64(sm.VarMs2.Mean)), f1(sm.P50Ms.Mean),
		f1(sm.P99Ms.Mean), "[" + f1(sm.P99Ms.Low) + ", " + f1(sm.P99Ms.High) + "]", f1(sm.P999Ms.Mean),
		f2(100 * float64(sm.Accuracy.Mean)), strconv.Itoa(s.Servers), f2(float64(s.CostHour)),
		f2(float64(sm.P99Ms.Mean / base.Summary.P99Ms.Mean)), f2(float64(sm.VarMs2.Mean / base.Summary.VarMs2.Mean)),
		f2(float64(s.CostHour / base.CostHour)),
	}
}

func TestMarkdownHoldsTheNumbers(t *testing.T) {
	res := runFixture()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, res, Options{}, []string{"cdf.png"}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{"# collagesim report: paper-3x3", "- seed: 1", "- replications: 5", "baseline **collage-3x3**", "![cdf.png](cdf.png)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	ss := res.Points[0].Strategies
	base := ss[4]
	for _, s := range ss {
		name := mdEscape(s.Name)
		if s.Name == base.Name {
			name = "**" + name + "**"
		}
		line := findLine(t, md, "| "+name+" |")
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		want := append([]string{name, s.Kind}, wantCells(s, base)...)
		if strings.Join(cells, "\t") != strings.Join(want, "\t") {
			t.Errorf("row of %s:\n got %q\nwant %q", s.Name, cells, want)
		}
	}
}

func TestLaTeXHoldsTheNumbers(t *testing.T) {
	res := runFixture()
	var buf bytes.Buffer
	if err := WriteLaTeX(&buf, res, Options{Baseline: "none"}); err != nil {
		t.Fatal(err)
	}
	tex := buf.String()
	for _, want := range []string{"\\begin{tabular}{lrrrrrrrrrrrr}", "\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}", "Ratios are to none", "\\multicolumn{3}{c}{Ratio to none}", "\\cmidrule(l){11-13}"} {
		if !strings.Contains(tex, want) {
			t.Errorf("table.tex lacks %q", want)
		}
	}
	ss := res.Points[0].Strategies
	base := ss[0]
	for _, s := range ss {
		name := s.Name
		if s.Name == base.Name {
			name = "\\textbf{none}"
		}
		line := findLine(t, tex, name+" & ")
		cells := strings.Split(strings.TrimSuffix(line, " \\\\"), " & ")
		want := wantCells(s, base)
		// The confidence interval shares the p99 cell, in small print.
		want[4] += " {\\footnotesize " + want[5] + "}"
		want = append(want[:5], want[6:]...)
		want = append([]string{name}, want...)
		if strings.Join(cells, "\t") != strings.Join(want, "\t") {
			t.Errorf("row of %s:\n got %q\nwant %q", s.Name, cells, want)
		}
	}
	// Two head lines (the first joins the three ratio columns) and five rows.
	if n := strings.Count(tex, "&"); n != 10+6*12 {
		t.Errorf("%d cell separators, want %d", n, 10+6*12)
	}
}

func TestLaTeXEscapes(t *testing.T) {
	res := runFixture()
	res.Scenario = "x\ny"
	res.Points[0].Strategies[0].Name = `a_b & c% $5 #1 {x} ~y ^z \w [0]`
	var buf bytes.Buffer
	if err := WriteLaTeX(&buf, res, Options{}); err != nil {
		t.Fatal(err)
	}
	want := `a\_b \& c\% \$5 \#1 \{x\} \textasciitilde{}y \textasciicircum{}z \textbackslash{}w {[}0{]} & `
	if !strings.Contains(buf.String(), want) {
		t.Errorf("escaped name not found:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "scenario x y,") {
		t.Errorf("newline in scenario name breaks the comment line")
	}
}

func TestLaTeXSweep(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLaTeX(&buf, sweepFixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	tex := buf.String()
	if !strings.Contains(tex, "\\begin{tabular}{lllrrrrrrrrrrrr}") {
		t.Errorf("sweep table lacks two parameter columns:\n%s", tex[:300])
	}
	if !strings.Contains(tex, "pools.scnn.servers & arrivals.rate & Strategy") {
		t.Errorf("parameter heads missing")
	}
	if n := strings.Count(tex, "\\midrule"); n != 9 {
		t.Errorf("%d midrules, want 9 (one under the head, one between each of 9 points)", n)
	}
	findLine(t, tex, "6 & 80/s & none (unstable) & ")
	findLine(t, tex, " &  & replicate-equal-cost & ")
}

func TestCSVHoldsTheNumbers(t *testing.T) {
	res := sweepFixture()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	if len(recs) != 1+9*5 {
		t.Fatalf("%d records, want 46", len(recs))
	}
	i := 1
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			rec := recs[i]
			i++
			num := func(name string) float64 {
				v, err := strconv.ParseFloat(rec[col[name]], 64)
				if err != nil {
					t.Fatalf("%s %s: %v", s.Name, name, err)
				}
				return v
			}
			if rec[col["strategy"]] != s.Name || rec[col["pools.scnn.servers"]] != pt.Params[0].Value || rec[col["arrivals.rate"]] != pt.Params[1].Value {
				t.Errorf("record %d: %q", i-1, rec)
			}
			for name, want := range map[string]sim.Float{
				"mean_ms": s.Summary.MeanMs.Mean, "std_ms": s.Summary.StdMs.Mean, "var_ms2": s.Summary.VarMs2.Mean,
				"p50_ms": s.Summary.P50Ms.Mean, "p99_ms": s.Summary.P99Ms.Mean, "p99_ci_low_ms": s.Summary.P99Ms.Low,
				"p99_ci_high_ms": s.Summary.P99Ms.High, "p999_ms": s.Summary.P999Ms.Mean, "accuracy": s.Summary.Accuracy.Mean,
				"cost_per_hour": s.CostHour,
			} {
				if got := num(name); got != float64(want) {
					t.Errorf("%s %s: %v, want %v exactly", s.Name, name, got, float64(want))
				}
			}
			if rec[col["unstable"]] != strconv.FormatBool(s.Unstable) {
				t.Errorf("%s: unstable %s", s.Name, rec[col["unstable"]])
			}
		}
	}
}

func TestRatiosAndNaN(t *testing.T) {
	res := runFixture()
	res.Points[0].Strategies[1].Summary.Accuracy.Mean = sim.Float(math.NaN())
	rows, base, err := Table(res, Options{Baseline: "replicate-full"})
	if err != nil {
		t.Fatal(err)
	}
	if base != "replicate-full" || !rows[2].Baseline || rows[2].P99Ratio != 1 {
		t.Errorf("baseline %q, row %+v", base, rows[2])
	}
	if want := 688.0 / 287; math.Abs(rows[0].P99Ratio-want) > 1e-12 {
		t.Errorf("p99 ratio of none %v, want %v", rows[0].P99Ratio, want)
	}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, res, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	line := findLine(t, buf.String(), "| replicate-equal-cost |")
	if !strings.Contains(line, "| n/a |") {
		t.Errorf("NaN accuracy not n/a: %s", line)
	}
}

func TestDefaultBaseline(t *testing.T) {
	if b, _ := DefaultBaseline(runFixture()); b != "collage-3x3" {
		t.Errorf("default baseline %q, want the collage strategy", b)
	}
	res := runFixture()
	res.Points[0].Strategies[4].Kind = "hedge"
	if b, _ := DefaultBaseline(res); b != "none" {
		t.Errorf("default baseline without collage %q, want the first", b)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	res := runFixture()
	res.Points[0].Strategies[0].Name = "a|b_c*"
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, res, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	findLine(t, buf.String(), `| a\|b\_c\* | none |`)
}

func findLine(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting %q in\n%s", prefix, text)
	return ""
}

// TestLaTeXCompiles runs pdflatex over table.tex, hostile names included,
// where pdflatex is installed (it is not needed otherwise).
func TestLaTeXCompiles(t *testing.T) {
	pdflatex, err := exec.LookPath("pdflatex")
	if err != nil || testing.Short() {
		t.Skip("no pdflatex")
	}
	res := sweepFixture()
	for i := range res.Points {
		res.Points[i].Strategies[0].Name = `a_b & c% $5 #1 {x} ~y ^z \w [0]`
		res.Points[i].Params[1].Value = "[" + res.Points[i].Params[1].Value + "]"
	}
	dir := t.TempDir()
	var tab bytes.Buffer
	if err := WriteLaTeX(&tab, res, Options{}); err != nil {
		t.Fatal(err)
	}
	doc := "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\usepackage[landscape,margin=1cm]{geometry}\n" +
		"\\begin{document}\n\\tiny\n\\input{table}\n\\end{document}\n"
	for name, b := range map[string][]byte{"table.tex": tab.Bytes(), "doc.tex": []byte(doc)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdflatex: %v\n%s", err, out)
	}
}
