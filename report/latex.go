package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/results"
)

// WriteLaTeX writes two booktabs tabulars, ready to \input inside a table
// (one column) or table* (both columns) environment: latency, then accuracy,
// cost and the ratios to the baseline, the bold row. Each is set in
// \footnotesize and shrinks to \linewidth only where it is wider, so it fits
// a column of a two-column paper. A sweep's points head their rows. It needs
// \usepackage{booktabs} and \usepackage{graphicx}.
func WriteLaTeX(w io.Writer, res *results.Results, opt Options) error {
	r, err := resolve(res, opt)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%% collagesim report: scenario %s, seed %d, %d replications.\n", texComment(res.Scenario), res.Seed, replications(res))
	fmt.Fprintf(&b, "%% Ratios are to %s, the bold row. Latencies in whole milliseconds.\n", texComment(r.baseline))
	if res.SLO != nil {
		fmt.Fprintf(&b, "%% SLO: %s; Within is the share of requests answered within %g ms.\n", texComment(res.SLO.Objective), res.SLO.WithinMs)
	}
	b.WriteString("% Needs \\usepackage{booktabs} and \\usepackage{graphicx}; each tabular shrinks to\n% \\linewidth only where it is wider, so it fits a column (table) or the page (table*).\n")
	points := byPoint(r.rows(res))
	ms := func(v float64) string { return fmtFixed(v, 0) }
	tabular := func(cols string, head []string, cells func(Row) []string) {
		n := len(cols)
		unstable := false
		b.WriteString("{\\footnotesize\\setlength{\\tabcolsep}{3.5pt}%\n")
		b.WriteString("\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n")
		b.WriteString("\\begin{tabular}{" + cols + "}\n\\toprule\n")
		for _, h := range head {
			b.WriteString(h + " \\\\\n")
		}
		b.WriteString("\\midrule\n")
		for i, rows := range points {
			if len(rows[0].Params) > 0 {
				if i > 0 {
					b.WriteString("\\addlinespace\n")
				}
				fmt.Fprintf(&b, "\\multicolumn{%d}{l}{\\emph{%s}} \\\\\n", n, texEscape(humanParams(rows[0].Params)))
			}
			for _, row := range rows {
				name := texEscape(row.Strategy)
				if row.Unstable {
					name += "$^\\dagger$"
					unstable = true
				}
				if row.Baseline {
					name = "\\textbf{" + name + "}"
				}
				b.WriteString(strings.Join(append([]string{name}, cells(row)...), " & ") + " \\\\\n")
			}
		}
		b.WriteString("\\bottomrule\n")
		if unstable {
			fmt.Fprintf(&b, "\\multicolumn{%d}{l}{\\scriptsize $^\\dagger$ unstable: offered load above capacity} \\\\\n", n)
		}
		b.WriteString("\\end{tabular}}}\n")
	}
	tabular("lrrrrr", []string{
		"Strategy & Mean & Std & p50 & p99 {\\scriptsize [95\\,\\% CI]} & p99.9",
		" & (ms) & (ms) & (ms) & (ms) & (ms)",
	}, func(row Row) []string {
		p99 := ms(row.P99Ms)
		if !math.IsNaN(row.P99LowMs) && !math.IsNaN(row.P99HighMs) {
			p99 += " {\\scriptsize [" + ms(row.P99LowMs) + ", " + ms(row.P99HighMs) + "]}"
		}
		return []string{ms(row.MeanMs), ms(row.StdMs), ms(row.P50Ms), p99, ms(row.P999Ms)}
	})
	b.WriteString("\n\\medskip\n\n")
	// With an SLO, the share of requests within its bound joins accuracy
	// and cost: what a strategy buys, beside what it costs.
	cols, ratioAt := "lrrrrrr", 5
	head1, head2 := "Strategy & Acc. & Servers & Cost", " & (\\%) & & (\\$/h)"
	if res.SLO != nil {
		cols, ratioAt = "lrrrrrrr", 6
		head1 += " & Within " + texEscape(strconv.FormatFloat(res.SLO.WithinMs, 'g', -1, 64)) + "\\,ms"
		head2 += " & (\\%) {\\scriptsize [95\\,\\% CI]}"
	}
	tabular(cols, []string{
		strings.Repeat(" &", ratioAt-1) + " \\multicolumn{3}{c}{Ratio to bold row} \\\\\n\\cmidrule(l){" + strconv.Itoa(ratioAt) + "-" + strconv.Itoa(ratioAt+2) + "}\n" + head1 + " & p99 & Var. & Cost",
		head2 + " & & &",
	}, func(row Row) []string {
		cells := []string{fmtAcc(row.Accuracy), strconv.Itoa(row.Servers), fmtCost(row.CostHour)}
		if res.SLO != nil {
			w := fmtAcc(row.Within)
			if !math.IsNaN(row.WithinLow) && !math.IsNaN(row.WithinHigh) {
				// One decimal in the interval keeps the column narrow.
				w += " {\\scriptsize [" + fmtFixed(100*row.WithinLow, 1) + ", " + fmtFixed(100*row.WithinHigh, 1) + "]}"
			}
			cells = append(cells, w)
		}
		return append(cells, fmtRatio(row.P99Ratio), fmtRatio(row.VarRatio), fmtRatio(row.CostRatio))
	})
	_, err = io.WriteString(w, b.String())
	return err
}

// humanParams describes a sweep point's parameters in words, as the figures
// do: "S-CNN servers = 9, arrival rate = 60/s".
func humanParams(ps []results.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = humanKey(p.Key) + " = " + p.Value
	}
	return strings.Join(parts, ", ")
}

var texReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`,
	`&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`, `_`, `\_`, `{`, `\{`, `}`, `\}`,
	`~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	`<`, `\textless{}`, `>`, `\textgreater{}`, `|`, `\textbar{}`,
	`[`, `{[}`, `]`, `{]}`, // a row starting with [ would read as \\[length]
	"\n", " ",
)

// texEscape makes text safe in a LaTeX document body.
func texEscape(s string) string { return texReplacer.Replace(s) }

// texComment keeps text on one comment line.
func texComment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
