package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

func planCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan SCENARIO --slo p99=300ms [flags]",
		Short: "Smallest cluster per strategy that meets a latency SLO",
		Long: `For each strategy, size its S-CNN pool from 1 to --max-servers, smallest first, and report the
first size that meets the SLO, judged on the 95 % confidence bound (upper for a latency, lower for
a share within), stable and with no failed request; and the highest arrival rate the scenario's own
cluster sustains within the SLO. Writes plan.csv and plan-cost-p99.png/.svg.`,
		Example: `  collagesim plan default --slo p99=300ms
  collagesim plan default --slo within=500ms@99% --max-servers 32 --requests 20000`,
		Args: cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	maxServers := intVar(fs, "max-servers", 64, 1, 4096, "largest S-CNN pool to try")
	out := fs.String("out", "", "output folder (default out/<scenario name>-plan)")
	workers := workersFlag(fs, "parallel runs")
	load := fs.Bool("max-load", true, "also find the highest arrival rate the scenario's cluster sustains within the SLO")
	ov := addOverrides(fs, "latency objective (required): p99=300ms (p50 p90 p95 p99 p999 mean) or within=300ms[@99%]")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		slo, ok, err := ov.parseSLO("plan")
		if err != nil {
			return err
		}
		if !ok {
			return usageErr("collagesim plan: --slo is required, e.g. --slo p99=300ms\nRun 'collagesim plan --help' for usage.")
		}
		sc, _, err := loadScenario(args[0])
		if err != nil {
			return err
		}
		prof, err := ov.loadProfile()
		if err != nil {
			return err
		}
		ov.apply(fs, sc, prof)
		dir := outDir(*out, sc.Name, "-plan")
		if err := results.Writable(dir); err != nil {
			return failed(err)
		}
		plans, err := sweep.SmallestCluster(sc, slo, int(maxServers.v), int(workers.v))
		if err != nil {
			return failed(err)
		}
		var loads []sweep.LoadResult
		if *load {
			if loads, err = sweep.MaxLoad(sc, slo, int(workers.v)); err != nil {
				return failed(err)
			}
		}
		if !ov.quiet {
			if err := sweep.PlanTable(stdout, sc.Name, sc.Arrivals.Rate, slo, plans, loads, int(maxServers.v)); err != nil {
				return failed(err)
			}
		}
		b, err := sweep.PlanCSV(slo, plans, loads)
		if err != nil {
			return failed(err)
		}
		path := filepath.Join(dir, "plan.csv")
		if err := results.WriteFileAtomic(path, b); err != nil {
			return failed(err)
		}
		fig, err := planFigure(sc.Name, sc.Seed, plans, dir)
		if err != nil {
			return failed(err)
		}
		fmt.Fprintf(stdout, "\nwrote %s, %s\n", path, fig)
		return nil
	}
	return cmd
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
