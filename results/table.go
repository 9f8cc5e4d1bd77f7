package results

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/collagesim/collagesim/sim"
)

// Baseline returns the index of the strategy the table compares against: the
// first collage strategy, else the first.
func Baseline(ss []sim.StrategyResult) int {
	for i, s := range ss {
		if s.Kind == sim.StrategyCollage {
			return i
		}
	}
	return 0
}

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

func ratio(a, b sim.Float) string {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) || b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

// Table prints the comparison of one point's strategies: latency figures in
// ms (means over replications, p99 with its 95 % confidence interval),
// accuracy, servers and cost, and the ratios of p99 and variance to the
// baseline row.
func Table(w io.Writer, pt *Point) error {
	ss := pt.Strategies
	if len(ss) == 0 {
		return nil
	}
	base := &ss[Baseline(ss)]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "strategy\tservers\tcost/h\tmean\tstd\tvariance\tp50\tp99\tp99 95%% CI\tp99.9\taccuracy\tfailed\tp99 / %s\tvar / %s\t\n", base.Name, base.Name)
	for i := range ss {
		s := &ss[i]
		m := &s.Summary
		ci := "n/a"
		if !math.IsNaN(float64(m.P99Ms.Low)) {
			ci = fmt.Sprintf("%s-%s", ms(m.P99Ms.Low), ms(m.P99Ms.High))
		}
		acc := "n/a"
		if a := float64(m.Accuracy.Mean); !math.IsNaN(a) {
			acc = fmt.Sprintf("%.2f%%", 100*a)
		}
		name := s.Name
		if s.Unstable {
			name += " (UNSTABLE)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t\n", name, s.Servers, float64(s.CostHour),
			ms(m.MeanMs.Mean), ms(m.StdMs.Mean), ms(m.VarMs2.Mean), ms(m.P50Ms.Mean), ms(m.P99Ms.Mean), ci,
			ms(m.P999Ms.Mean), acc, float64(m.Failed.Mean), ratio(m.P99Ms.Mean, base.Summary.P99Ms.Mean),
			ratio(m.VarMs2.Mean, base.Summary.VarMs2.Mean))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	for _, s := range ss {
		if s.Unstable {
			notes = append(notes, fmt.Sprintf("  %s is unstable: %s", s.Name, s.UnstableNote))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
	return nil
}

// SourceTable prints where each strategy's answers came from (share of
// answered requests by source), its load amplification, wasted work and
// utilisation per pool: what a straggling or failed collage server does to
// the collage strategy shows here.
func SourceTable(w io.Writer, pt *Point) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "strategy\t")
	for _, src := range sim.Sources {
		fmt.Fprintf(tw, "%s\t", src)
	}
	fmt.Fprint(tw, "tasks/request\twasted work\tutilisation\t\n")
	for i := range pt.Strategies {
		s := &pt.Strategies[i]
		m := &s.Summary
		fmt.Fprintf(tw, "%s\t", s.Name)
		for _, src := range sim.Sources {
			fmt.Fprintf(tw, "%s\t", pct(m.Sources[src].Mean))
		}
		var util []string
		for _, p := range s.Pools {
			util = append(util, fmt.Sprintf("%s %s", p.Name, pct(m.Utilisation[p.Name].Mean)))
		}
		fmt.Fprintf(tw, "%.2f\t%s\t%s\t\n", float64(m.LoadAmplification.Mean), pct(m.WastedWork.Mean), strings.Join(util, ", "))
	}
	return tw.Flush()
}

func pct(f sim.Float) string {
	if math.IsNaN(float64(f)) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(f))
}
