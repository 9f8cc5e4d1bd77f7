package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

func planMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan", "plan SCENARIO --slo p99=300ms [flags]", stderr)
	sloFlag := fs.String("slo", "", "latency objective, METRIC=DURATION (metrics p50 p90 p95 p99 p999 mean), judged on the upper 95 % confidence bound")
	maxServers := fs.Int("max-servers", 64, "largest S-CNN pool to try")
	out := fs.String("out", "", "output folder (default out/<scenario name>-plan)")
	workers := fs.Int("workers", 0, "parallel runs (default: all cores)")
	load := fs.Bool("max-load", true, "also find the highest arrival rate the scenario's cluster sustains within the SLO")
	ov := addOverrides(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 || *sloFlag == "" {
		fs.Usage()
		return 2
	}
	slo, err := sweep.ParseSLO(*sloFlag)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	sc, _, err := loadScenario(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if _, err := ov.apply(fs, sc); err != nil {
		fmt.Fprintln(stderr, "collagesim plan:", err)
		return 2
	}
	plans, err := sweep.SmallestCluster(sc, slo, *maxServers, *workers)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var loads []sweep.LoadResult
	if *load {
		if loads, err = sweep.MaxLoad(sc, slo, *workers); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name+"-plan")
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"strategy", "slo", "met", "single_pool", "single_servers", "servers", "cost_per_hour", "bound_ms", "p99_ms", "max_rate_per_s"})
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(stdout, "%s: smallest cluster per strategy with %s (upper 95%% CI bound), arrivals %g/s\n\n", sc.Name, slo, sc.Arrivals.Rate)
	fmt.Fprintf(tw, "strategy\tS-CNN servers\tservers\tcost/h\t%s bound (ms)\tmax load at given size (req/s)\t\n", slo.Metric)
	for i, p := range plans {
		r := &p.Result
		size, met := strconv.Itoa(p.N), "true"
		if !p.Met {
			size, met = fmt.Sprintf("> %d", *maxServers), "false"
		}
		rate := ""
		if loads != nil {
			rate = strconv.FormatFloat(loads[i].Rate, 'f', 1, 64)
		}
		bound := slo.Bound(r)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%.0f\t%s\t\n", p.Strategy, size, r.Servers, float64(r.CostHour), bound, rate)
		cw.Write([]string{p.Strategy, slo.String(), met, p.Single, strconv.Itoa(p.N), strconv.Itoa(r.Servers),
			strconv.FormatFloat(float64(r.CostHour), 'g', 6, 64), strconv.FormatFloat(bound, 'g', 6, 64),
			strconv.FormatFloat(float64(r.Summary.P99Ms.Mean), 'g', 6, 64), rate})
	}
	tw.Flush()
	cw.Flush()
	path := filepath.Join(dir, "plan.csv")
	if err := results.WriteFileAtomic(path, b.Bytes()); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fig, err := planFigure(sc.Name, sc.Seed, plans, dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "\nwrote %s, %s\n", path, fig)
	return 0
}

// planFigure draws cost per hour against p99 of each strategy at the size
// plan chose, with the report stage's cost-p99 figure.
func planFigure(name string, seed uint64, plans []sweep.PlanResult, dir string) (string, error) {
	var ss []sim.StrategyResult
	for _, p := range plans {
		r := p.Result
		r.Name = fmt.Sprintf("%s (%d)", p.Strategy, p.N)
		if !p.Met {
			r.Name = fmt.Sprintf("%s (>%d)", p.Strategy, p.N)
		}
		ss = append(ss, r)
	}
	res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim " + version, Scenario: name + "-plan", Seed: seed,
		Points: []results.Point{{Strategies: ss}}}
	figs, err := report.Figures(res, report.Options{})
	if err != nil {
		return "", err
	}
	for _, f := range figs {
		if f.Name != "cost-p99" {
			continue
		}
		var paths []string
		for _, format := range []string{"png", "svg"} {
			var b bytes.Buffer
			if err := f.Render(&b, format, 300); err != nil {
				return "", err
			}
			path := filepath.Join(dir, "plan-cost-p99."+format)
			if err := results.WriteFileAtomic(path, b.Bytes()); err != nil {
				return "", err
			}
			paths = append(paths, path)
		}
		return strings.Join(paths, ", "), nil
	}
	return "", fmt.Errorf("collagesim plan: the report stage drew no cost-p99 figure")
}
