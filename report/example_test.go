package report_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Example reads a results file and writes its report: figures as SVG and PDF,
// the tables, and index.html.
func Example() {
	res, err := results.Load("testdata/run.json")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	files, err := report.Write(res, dir, report.Options{
		Formats:  []string{"svg", "pdf"},
		Baseline: "none",
		Width:    report.OneColumn,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// cdf.svg
	// cdf.pdf
	// ccdf.svg
	// ccdf.pdf
	// p99.svg
	// p99.pdf
	// mean-std.svg
	// mean-std.pdf
	// variance-ratio.svg
	// variance-ratio.pdf
	// accuracy-p99.svg
	// accuracy-p99.pdf
	// cost-p99.svg
	// cost-p99.pdf
	// report.md
	// table.csv
	// table.tex
	// index.html
}

// ExampleTable prints p99 and its ratio to the baseline for each strategy.
func ExampleTable() {
	res, err := results.Load("testdata/run.json")
	if err != nil {
		log.Fatal(err)
	}
	rows, baseline, err := report.Table(res, report.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("baseline:", baseline)
	for _, r := range rows {
		fmt.Printf("%-22s p99 %5.1f ms  %.2f×\n", r.Strategy, r.P99Ms, r.P99Ratio)
	}
	// Output:
	// baseline: collage-3x3
	// none                   p99 688.0 ms  2.14×
	// replicate-equal-cost   p99 561.0 ms  1.74×
	// replicate-full         p99 287.0 ms  0.89×
	// parity                 p99 408.0 ms  1.27×
	// collage-3x3            p99 322.0 ms  1.00×
}

// ExamplePlanFigure draws a capacity plan: each strategy's cost per hour
// against the upper bound of its p99 at the smallest cluster that meets the
// SLO, and one strategy that no size met.
func ExamplePlanFigure() {
	res, err := results.Load("testdata/run.json")
	if err != nil {
		log.Fatal(err)
	}
	var rows []report.PlanRow
	for _, s := range res.Points[0].Strategies {
		met := float64(s.Summary.P99Ms.High) <= 700
		rows = append(rows, report.PlanRow{Strategy: s.Name, SingleServers: 9, Met: met, Result: s})
	}
	slo := report.PlanSLO{Metric: "p99", Ms: 700, Bound: func(r *sim.StrategyResult) (float64, float64, float64) {
		return float64(r.Summary.P99Ms.Mean), float64(r.Summary.P99Ms.Low), float64(r.Summary.P99Ms.High)
	}}
	fig, err := report.PlanFigure(res.Scenario, res.Seed, slo, rows)
	if err != nil {
		log.Fatal(err)
	}
	var svg bytes.Buffer
	if err := fig.Render(&svg, "svg", 0); err != nil {
		log.Fatal(err)
	}
	fmt.Println(fig.Name, strings.Contains(svg.String(), "none: &gt; 9 servers, infeasible"))
	// Output:
	// plan-cost-p99 true
}
