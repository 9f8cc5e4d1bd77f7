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

	"github.com/collagesim/collagesim/results"
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
	for _, want := range []string{"\\begin{tabular}{lrrrrr}", "\\begin{tabular}{lrrrrrr}", "\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}",
		"Ratios are to none", "\\multicolumn{3}{c}{Ratio to bold row}", "\\cmidrule(l){5-7}", "\\resizebox{\\ifdim\\width>\\linewidth"} {
		if !strings.Contains(tex, want) {
			t.Errorf("table.tex lacks %q", want)
		}
	}
	ss := res.Points[0].Strategies
	base := ss[0]
	ms := func(v sim.Float) string { return fmt.Sprintf("%.0f", float64(v)) }
	for _, s := range ss {
		name := s.Name
		if s.Name == base.Name {
			name = "\\textbf{none}"
		}
		sm := s.Summary
		// Latency in whole milliseconds, the interval in small print in the
		// p99 cell; then accuracy, servers, cost and the ratios.
		wantLat := []string{name, ms(sm.MeanMs.Mean), ms(sm.StdMs.Mean), ms(sm.P50Ms.Mean),
			ms(sm.P99Ms.Mean) + " {\\scriptsize [" + ms(sm.P99Ms.Low) + ", " + ms(sm.P99Ms.High) + "]}", ms(sm.P999Ms.Mean)}
		wc := wantCells(s, base)
		wantCost := append([]string{name}, wc[7:]...)
		var got [][]string
		for _, l := range strings.Split(tex, "\n") {
			if strings.HasPrefix(l, name+" & ") {
				got = append(got, strings.Split(strings.TrimSuffix(l, " \\\\"), " & "))
			}
		}
		if len(got) != 2 {
			t.Fatalf("%s: %d rows, want 2 (one per tabular)", s.Name, len(got))
		}
		for i, want := range [][]string{wantLat, wantCost} {
			if strings.Join(got[i], "\t") != strings.Join(want, "\t") {
				t.Errorf("row %d of %s:\n got %q\nwant %q", i, s.Name, got[i], want)
			}
		}
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
	// Each point heads its rows, in words, in both tabulars.
	if n := strings.Count(tex, "\\multicolumn{6}{l}{\\emph{S-CNN servers = "); n != 9 {
		t.Errorf("%d point heads in the latency tabular, want 9", n)
	}
	if n := strings.Count(tex, "\\multicolumn{7}{l}{\\emph{S-CNN servers = "); n != 9 {
		t.Errorf("%d point heads in the cost tabular, want 9", n)
	}
	findLine(t, tex, "\\multicolumn{6}{l}{\\emph{S-CNN servers = 6, arrival rate = 80/s}} \\\\")
	findLine(t, tex, "none$^\\dagger$ & ")
	findLine(t, tex, "\\multicolumn{6}{l}{\\scriptsize $^\\dagger$ unstable: offered load above capacity} \\\\")
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
// where pdflatex is installed (it is not needed otherwise), in one column of
// a two-column paper (table) and across both (table*): no overfull box.
func TestLaTeXCompiles(t *testing.T) {
	pdflatex, err := exec.LookPath("pdflatex")
	if err != nil || testing.Short() {
		t.Skip("no pdflatex")
	}
	hostile := sweepFixture()
	for i := range hostile.Points {
		hostile.Points[i].Strategies[0].Name = `a_b & c% $5 #1 {x} ~y ^z \w [0]`
		hostile.Points[i].Params[1].Value = "[" + hostile.Points[i].Params[1].Value + "]"
	}
	for _, c := range []struct {
		name string
		res  *results.Results
	}{{"sweep", sweepFixture()}, {"hostile", hostile}, {"long", longNamesFixture()}, {"slo", sweepSLOFixture()}, {"run-slo", runSLOFixture()}} {
		var tab bytes.Buffer
		if err := WriteLaTeX(&tab, c.res, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, env := range []string{"table", "table*"} {
			dir := t.TempDir()
			// The geometry of a US-letter two-column paper (ACM, IEEE): a
			// column 3.33 in wide.
			doc := "\\documentclass[twocolumn]{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n" +
				"\\usepackage[letterpaper,margin=0.75in,columnsep=0.33in]{geometry}\n" +
				"\\begin{document}\n\\begin{" + env + "}\n\\centering\n\\input{table}\n\\caption{Results.}\n\\end{" + env + "}\nText.\n\\end{document}\n"
			for name, b := range map[string][]byte{"table.tex": tab.Bytes(), "doc.tex": []byte(doc)} {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s in %s: pdflatex: %v\n%s", c.name, env, err, out)
			}
			log, err := os.ReadFile(filepath.Join(dir, "doc.log"))
			if err != nil {
				t.Fatal(err)
			}
			if i := bytes.Index(log, []byte("Overfull \\hbox")); i >= 0 {
				t.Errorf("%s in %s: %s", c.name, env, log[i:min(len(log), i+120)])
			}
		}
	}
}
