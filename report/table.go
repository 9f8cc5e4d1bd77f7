package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Row is one strategy at one point, as the tables print it. Latencies are in
// milliseconds, accuracy a fraction; NaN where the results hold no figure.
type Row struct {
	Point    int
	Params   []results.Param
	Strategy string
	Kind     string
	Baseline bool // the row the ratios compare against
	Unstable bool

	MeanMs, StdMs, VarMs2, P50Ms float64
	P99Ms, P99LowMs, P99HighMs   float64 // mean and 95 % confidence interval
	P999Ms                       float64
	Accuracy                     float64
	Servers                      int
	CostHour                     float64

	// Ratios to the baseline row of the same point.
	P99Ratio, VarRatio, CostRatio float64

	// Share of requests within the SLO's bound, with its 95 % confidence
	// interval, as fractions; NaN without an SLO or where the point has none.
	Within, WithinLow, WithinHigh float64
}

// Table returns one row per point and strategy, and the baseline strategy's
// name (opt.Baseline, or the default of DefaultBaseline).
func Table(res *results.Results, opt Options) ([]Row, string, error) {
	r, err := resolve(res, opt)
	if err != nil {
		return nil, "", err
	}
	return r.rows(res), r.baseline, nil
}

func (r *resolved) rows(res *results.Results) []Row {
	var rows []Row
	for i, pt := range res.Points {
		base, hasBase := r.baselineOf(pt)
		ratio := func(v, b sim.Float) float64 {
			if !hasBase || !(b != 0) {
				return math.NaN()
			}
			return float64(v) / float64(b)
		}
		for _, s := range pt.Strategies {
			sm := s.Summary
			within := sim.Stat{Mean: sim.Float(math.NaN()), Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
			if st, ok := pt.Within[s.Name]; ok {
				within = st
			}
			rows = append(rows, Row{
				Point: i, Params: pt.Params, Strategy: s.Name, Kind: s.Kind,
				Baseline: s.Name == r.baseline, Unstable: s.Unstable,
				MeanMs: float64(sm.MeanMs.Mean), StdMs: float64(sm.StdMs.Mean), VarMs2: float64(sm.VarMs2.Mean),
				P50Ms: float64(sm.P50Ms.Mean), P99Ms: float64(sm.P99Ms.Mean),
				P99LowMs: float64(sm.P99Ms.Low), P99HighMs: float64(sm.P99Ms.High),
				P999Ms: float64(sm.P999Ms.Mean), Accuracy: float64(sm.Accuracy.Mean),
				Servers: s.Servers, CostHour: float64(s.CostHour),
				P99Ratio:  ratio(sm.P99Ms.Mean, base.Summary.P99Ms.Mean),
				VarRatio:  ratio(sm.VarMs2.Mean, base.Summary.VarMs2.Mean),
				CostRatio: ratio(s.CostHour, base.CostHour),
				Within:    float64(within.Mean), WithinLow: float64(within.Low), WithinHigh: float64(within.High),
			})
		}
	}
	return rows
}

// Printed precision of each kind of number, shared by Markdown, LaTeX and HTML.
func fmtMs(v float64) string    { return fmtFixed(v, 1) }
func fmtVar(v float64) string   { return fmtFixed(v, 0) }
func fmtRatio(v float64) string { return fmtFixed(v, 2) }
func fmtCost(v float64) string  { return fmtFixed(v, 2) }
func fmtAcc(v float64) string   { return fmtFixed(100*v, 2) }

func fmtFixed(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

func fmtCI(low, high float64) string {
	if math.IsNaN(low) || math.IsNaN(high) {
		return ""
	}
	return "[" + fmtMs(low) + ", " + fmtMs(high) + "]"
}

// fmtShareCI is a share's confidence interval in percent.
func fmtShareCI(low, high float64) string {
	if math.IsNaN(low) || math.IsNaN(high) {
		return ""
	}
	return "[" + fmtAcc(low) + ", " + fmtAcc(high) + "]"
}

// sloHead names the share-within column: "within 300 ms".
func sloHead(slo *results.SLO) string {
	return "within " + strconv.FormatFloat(slo.WithinMs, 'g', -1, 64) + " ms"
}

// column is one column of the human-readable tables.
type column struct {
	head, unit string
	cell       func(Row) string
}

// H and U are the column's head and unit, for templates.
func (c column) H() string { return c.head }
func (c column) U() string { return c.unit }

// columns are the columns of the human-readable tables; with an SLO, the
// share of requests within it and its confidence interval follow the
// latencies, where a reader of a wide table still sees them.
func columns(res *results.Results) []column {
	cols := []column{
		{"mean", "ms", func(r Row) string { return fmtMs(r.MeanMs) }},
		{"std", "ms", func(r Row) string { return fmtMs(r.StdMs) }},
		{"variance", "ms²", func(r Row) string { return fmtVar(r.VarMs2) }},
		{"p50", "ms", func(r Row) string { return fmtMs(r.P50Ms) }},
		{"p99", "ms", func(r Row) string { return fmtMs(r.P99Ms) }},
		{"p99 95 % CI", "ms", func(r Row) string { return fmtCI(r.P99LowMs, r.P99HighMs) }},
		{"p99.9", "ms", func(r Row) string { return fmtMs(r.P999Ms) }},
	}
	if res.SLO != nil {
		cols = append(cols,
			column{sloHead(res.SLO), "%", func(r Row) string { return fmtAcc(r.Within) }},
			column{"within 95 % CI", "%", func(r Row) string { return fmtShareCI(r.WithinLow, r.WithinHigh) }})
	}
	return append(cols, []column{
		{"accuracy", "%", func(r Row) string { return fmtAcc(r.Accuracy) }},
		{"servers", "", func(r Row) string { return strconv.Itoa(r.Servers) }},
		{"cost", "$/h", func(r Row) string { return fmtCost(r.CostHour) }},
		{"p99 ratio", "×", func(r Row) string { return fmtRatio(r.P99Ratio) }},
		{"var. ratio", "×", func(r Row) string { return fmtRatio(r.VarRatio) }},
		{"cost ratio", "×", func(r Row) string { return fmtRatio(r.CostRatio) }},
	}...)
}

func strategyCell(r Row) string {
	s := r.Strategy
	if r.Unstable {
		s += " (unstable)"
	}
	return s
}

// byPoint splits rows into runs of one point each.
func byPoint(rows []Row) [][]Row {
	var out [][]Row
	for i, r := range rows {
		if i == 0 || r.Point != rows[i-1].Point {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

func paramsText(ps []results.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Key + " = " + p.Value
	}
	return strings.Join(parts, ", ")
}

func replications(res *results.Results) int {
	n := 0
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			n = max(n, len(s.Reps))
		}
	}
	return n
}

// WriteMarkdown writes the report as Markdown: the run's header, one table per
// point, and links to figure files (figs, relative to the report).
func WriteMarkdown(w io.Writer, res *results.Results, opt Options, figs []string) error {
	r, err := resolve(res, opt)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# collagesim report: %s\n\n", mdEscape(res.Scenario))
	fmt.Fprintf(&b, "- seed: %d\n", res.Seed)
	if res.Tool != "" {
		fmt.Fprintf(&b, "- tool: %s\n", mdEscape(res.Tool))
	}
	if res.Profile != "" {
		fmt.Fprintf(&b, "- profile: %s\n", mdEscape(res.Profile))
	}
	fmt.Fprintf(&b, "- replications: %d\n", replications(res))
	if len(res.SweepParams) > 0 {
		fmt.Fprintf(&b, "- swept: %s (%d points)\n", mdEscape(strings.Join(res.SweepParams, ", ")), len(res.Points))
	}
	if res.SLO != nil {
		fmt.Fprintf(&b, "- SLO: %s (share of requests within %g ms, failed ones missed)\n", mdEscape(res.SLO.Objective), res.SLO.WithinMs)
	}
	fmt.Fprintf(&b, "- ratios are to the baseline **%s**\n", mdEscape(r.baseline))
	cols := columns(res)
	for _, rows := range byPoint(r.rows(res)) {
		b.WriteString("\n")
		if len(rows[0].Params) > 0 {
			fmt.Fprintf(&b, "## Point %d: %s\n\n", rows[0].Point, mdEscape(paramsText(rows[0].Params)))
		}
		b.WriteString("| strategy | kind |")
		for _, c := range cols {
			h := c.head
			if c.unit != "" {
				h += " (" + c.unit + ")"
			}
			b.WriteString(" " + mdEscape(h) + " |")
		}
		b.WriteString("\n|:---|:---|")
		for range cols {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, row := range rows {
			name := mdEscape(strategyCell(row))
			if row.Baseline {
				name = "**" + name + "**"
			}
			fmt.Fprintf(&b, "| %s | %s |", name, mdEscape(row.Kind))
			for _, c := range cols {
				b.WriteString(" " + c.cell(row) + " |") // numbers only: nothing to escape
			}
			b.WriteString("\n")
		}
	}
	if len(figs) > 0 {
		b.WriteString("\n## Figures\n\n")
		for _, f := range figs {
			fmt.Fprintf(&b, "![%s](%s)\n\n", mdEscape(f), mdLink(f))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// mdEscape keeps text from being read as Markdown.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '|', '*', '_', '`', '[', ']', '<', '>', '#':
			b.WriteByte('\\')
		case '\n':
			c = ' '
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mdLink(s string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace(s)
}

// WriteCSV writes one row per point and strategy with every number at full
// precision; empty cells where the results hold no figure.
func WriteCSV(w io.Writer, res *results.Results, opt Options) error {
	r, err := resolve(res, opt)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"scenario", "seed", "point"}
	head = append(head, res.SweepParams...)
	head = append(head, "strategy", "kind", "baseline", "unstable",
		"mean_ms", "std_ms", "var_ms2", "p50_ms", "p99_ms", "p99_ci_low_ms", "p99_ci_high_ms", "p999_ms",
		"accuracy", "servers", "cost_per_hour", "p99_ratio", "var_ratio", "cost_ratio")
	if res.SLO != nil {
		// The names of summary.csv's columns.
		head = append(head, "slo_ms", "within_slo", "within_slo_ci_low", "within_slo_ci_high")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	num := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, row := range r.rows(res) {
		rec := []string{res.Scenario, strconv.FormatUint(res.Seed, 10), strconv.Itoa(row.Point)}
		for _, p := range row.Params {
			rec = append(rec, p.Value)
		}
		rec = append(rec, row.Strategy, row.Kind, strconv.FormatBool(row.Baseline), strconv.FormatBool(row.Unstable),
			num(row.MeanMs), num(row.StdMs), num(row.VarMs2), num(row.P50Ms), num(row.P99Ms), num(row.P99LowMs), num(row.P99HighMs), num(row.P999Ms),
			num(row.Accuracy), strconv.Itoa(row.Servers), num(row.CostHour), num(row.P99Ratio), num(row.VarRatio), num(row.CostRatio))
		if res.SLO != nil {
			rec = append(rec, num(res.SLO.WithinMs), num(row.Within), num(row.WithinLow), num(row.WithinHigh))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
