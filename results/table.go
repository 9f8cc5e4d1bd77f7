package results

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/collagesim/collagesim/sim"
)

// Width is the terminal width the tables are made to fit.
const Width = 100

func ms(f sim.Float) string {
	v := float64(f)
	if math.IsNaN(v) {
		return "n/a"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// withCI writes a mean and the half width of its 95 % confidence interval,
// "595 ± 51"; the mean alone with one replication.
func withCI(st sim.Stat, f func(sim.Float) string) string {
	if math.IsNaN(float64(st.Low)) || math.IsNaN(float64(st.High)) {
		return f(st.Mean)
	}
	return f(st.Mean) + " ± " + f((st.High-st.Low)/2)
}

func ratio(a, b sim.Float) string {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) || b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

func pct(f sim.Float) string {
	if math.IsNaN(float64(f)) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(f))
}

// Table prints the comparison of one point's strategies: servers, cost,
// latency in ms (means over replications; p99 with the half width of its
// 95 % confidence interval), top-1 accuracy, and the ratios of p99 and
// variance to the baseline strategy (see Baseline; want may be empty). The
// table fits Width columns for strategy names up to 34 characters.
func Table(w io.Writer, pt *Point, want string) error {
	ss := pt.Strategies
	if len(ss) == 0 {
		return nil
	}
	baseName, err := Baseline(pt, want)
	if err != nil {
		return err
	}
	var base *sim.StrategyResult
	for i := range ss {
		if ss[i].Name == baseName {
			base = &ss[i]
		}
	}
	fmt.Fprintf(w, "ratios: p99 and variance of each strategy over those of %s\n", base.Name)
	rows := [][]string{
		{"strategy", "servers", "cost", "mean", "p99", "p99.9", "top-1", "p99", "var"},
		{"", "", "$/h", "ms", "ms ±95% CI", "ms", "%", "ratio", "ratio"},
	}
	var notes []string
	for i := range ss {
		s := &ss[i]
		m := &s.Summary
		acc := "n/a"
		if a := float64(m.Accuracy.Mean); !math.IsNaN(a) {
			acc = fmt.Sprintf("%.2f", 100*a)
		}
		name := s.Name
		if s.Unstable {
			name += "*"
			notes = append(notes, fmt.Sprintf("* %s is unstable: %s", s.Name, s.UnstableNote))
		}
		if f := float64(m.Failed.Mean); f > 0 {
			notes = append(notes, fmt.Sprintf("%s: %.1f requests per replication never answered (failed)", s.Name, f))
		}
		rows = append(rows, []string{name, fmt.Sprint(s.Servers), fmt.Sprintf("%.2f", float64(s.CostHour)),
			ms(m.MeanMs.Mean), withCI(m.P99Ms, ms), ms(m.P999Ms.Mean), acc,
			ratio(m.P99Ms.Mean, base.Summary.P99Ms.Mean), ratio(m.VarMs2.Mean, base.Summary.VarMs2.Mean)})
	}
	if err := WriteColumns(w, rows, 1); err != nil {
		return err
	}
	return writeNotes(w, notes)
}

// SourceTable prints where each strategy's answers came from (share of
// answered requests by source, for the sources some strategy used), its
// tasks per request (load amplification) and wasted work, then the
// utilisation of each pool: what a straggling or failed collage server does
// to the collage strategy shows here.
func SourceTable(w io.Writer, pt *Point) error {
	var used []string
	for _, src := range sim.Sources {
		for _, s := range pt.Strategies {
			if v := float64(s.Summary.Sources[src].Mean); v > 0 {
				used = append(used, src)
				break
			}
		}
	}
	head := append(append([]string{"answered by"}, used...), "tasks/request", "wasted work")
	rows := [][]string{head}
	var pools []string
	for i := range pt.Strategies {
		s := &pt.Strategies[i]
		m := &s.Summary
		row := []string{s.Name}
		for _, src := range used {
			row = append(row, pct(m.Sources[src].Mean))
		}
		rows = append(rows, append(row, fmt.Sprintf("%.2f", float64(m.LoadAmplification.Mean)), pct(m.WastedWork.Mean)))
		for _, p := range s.Pools {
			if !slices.Contains(pools, p.Name) {
				pools = append(pools, p.Name)
			}
		}
	}
	if err := WriteColumns(w, rows, 1); err != nil {
		return err
	}
	fmt.Fprintln(w)
	util := [][]string{append([]string{"utilisation"}, pools...)}
	for i := range pt.Strategies {
		s := &pt.Strategies[i]
		row := []string{s.Name}
		for _, p := range pools {
			v, ok := s.Summary.Utilisation[p]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, pct(v.Mean))
		}
		util = append(util, row)
	}
	return WriteColumns(w, util, 1)
}

// WriteColumns writes rows as a table: the first left columns aligned left,
// the others right, two spaces apart, no trailing spaces.
func WriteColumns(w io.Writer, rows [][]string, left int) error {
	widths := columnWidths(rows)
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < left {
				line.WriteString(c + pad)
			} else {
				line.WriteString(pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeNotes writes each note wrapped to Width columns.
func writeNotes(w io.Writer, notes []string) error {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(Wrap(n, Width, "  "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Wrap breaks text into lines of at most width columns at spaces (a word
// longer than a line stands alone), continuation lines starting with indent.
func Wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
			b.WriteString(line + "\n")
			line = indent + word
		default:
			line += " " + word
		}
	}
	if line != "" {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// SweepTable prints every point of a sweep, one row per point and strategy:
// the swept values (columns named by the key path's last part), p99 with its
// 95 % CI, mean, cost, the p99 ratio to the baseline strategy of the point
// (see Baseline) and, with an SLO, the share of requests within it. Unstable
// rows are marked. Columns that would not fit Width are left out, the ratio
// first.
func SweepTable(w io.Writer, res *Results, want string) error {
	head := []string{"point"}
	for _, k := range res.SweepParams {
		head = append(head, k[strings.LastIndex(k, ".")+1:])
	}
	units := make([]string, len(head))
	head = append(head, "strategy", "p99", "mean", "cost", "p99")
	units = append(units, "", "ms ±95% CI", "ms", "$/h", "ratio")
	if res.SLO != nil {
		head = append(head, fmt.Sprintf("within %gms", res.SLO.WithinMs))
		units = append(units, "% ±95% CI")
	}
	rows := [][]string{head, units}
	unstable := false
	for p := range res.Points {
		pt := &res.Points[p]
		baseName, err := Baseline(pt, want)
		if err != nil {
			return err
		}
		var base sim.Stat
		for _, s := range pt.Strategies {
			if s.Name == baseName {
				base = s.Summary.P99Ms
			}
		}
		for i, s := range pt.Strategies {
			row := []string{""}
			if i == 0 {
				row[0] = fmt.Sprint(pt.Index)
			}
			for k := range res.SweepParams {
				v := ""
				if i == 0 && k < len(pt.Params) {
					v = pt.Params[k].Value
				}
				row = append(row, v)
			}
			name := s.Name
			if s.Unstable {
				name += "*"
				unstable = true
			}
			m := &s.Summary
			row = append(row, name, withCI(m.P99Ms, ms), ms(m.MeanMs.Mean), fmt.Sprintf("%.2f", float64(s.CostHour)), ratio(m.P99Ms.Mean, base.Mean))
			if res.SLO != nil {
				st, ok := pt.Within[s.Name]
				cell := "n/a"
				if ok {
					cell = withCI(st, func(f sim.Float) string { return fmt.Sprintf("%.2f", 100*float64(f)) })
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
	}
	ratioCol := len(res.SweepParams) + 5
	if tableWidth(rows) > Width {
		for i := range rows {
			rows[i] = append(rows[i][:ratioCol], rows[i][ratioCol+1:]...)
		}
	}
	if err := WriteColumns(w, rows, len(res.SweepParams)+2); err != nil {
		return err
	}
	if unstable {
		_, err := io.WriteString(w, "* unstable: offered load exceeded capacity (see results.json for the reason)\n")
		return err
	}
	return nil
}

// tableWidth is the width WriteColumns gives rows.
func tableWidth(rows [][]string) int {
	widths := columnWidths(rows)
	n := 2 * (len(widths) - 1)
	for _, w := range widths {
		n += w
	}
	return n
}

// columnWidths is the widest cell of each column of rows, in runes.
func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	return widths
}
