package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

func planCmd(stdout io.Writer) *cobra.Command {
	cmd := command("plan", cobra.ExactArgs(1))
	fs := cmd.Flags()
	sf := cli.AddSimFlags(fs, "output folder (default out/<scenario name>-plan)",
		"latency objective (required): p99=300ms (p50 p90 p95 p99 p999 mean) or within=300ms[@99%]")
	maxServers := cli.IntVar(fs, "max-servers", 64, 1, 4096, "largest S-CNN pool to try")
	load := fs.Bool("max-load", true, "also find the highest arrival rate the scenario's cluster sustains within the SLO")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if sf.SLOText == "" {
			return usageErr("collagesim plan: --slo is required, e.g. --slo p99=300ms\nRun 'collagesim plan --help' for usage.")
		}
		sc, _, err := sf.Load("plan", args[0], nil)
		if err != nil {
			return err
		}
		sf.Apply(sc)
		if err := sweep.CanMaxLoad(sc); *load && err != nil {
			return usageErr("collagesim plan: %v: add --max-load=false", err)
		}
		dir := sf.OutDir(sc.Name + "-plan")
		if err := results.Writable(dir); err != nil {
			return failed(err)
		}
		plans, err := sweep.SmallestCluster(sc, sf.SLO, int(maxServers.V), int(sf.Workers.V))
		var loads []sweep.LoadResult
		if err == nil && *load {
			loads, err = sweep.MaxLoad(sc, sf.SLO, int(sf.Workers.V))
		}
		if err != nil {
			return failed(err)
		}
		if !sf.Quiet {
			sweep.PlanTable(stdout, sc.Name, sc.Arrivals.Rate, sf.SLO, plans, loads, int(maxServers.V))
		}
		b, err := sweep.PlanCSV(sf.SLO, plans, loads)
		path := filepath.Join(dir, "plan.csv")
		if err == nil {
			err = results.WriteFileAtomic(path, b)
		}
		fig := ""
		if err == nil {
			fig, err = planFigure(sc.Name, sc.Seed, plans, dir)
		}
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
