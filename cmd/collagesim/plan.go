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
		if _, err := sf.Apply(sc); err != nil {
			return err
		}
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
			fig, err = planFigure(sc.Name, sc.Seed, sf.SLO, plans, dir)
		}
		if err != nil {
			return failed(err)
		}
		fmt.Fprintf(stdout, "\nwrote %s, %s\n", path, fig)
		return nil
	}
	return cmd
}

// planFigure draws cost per hour against the SLO metric's upper confidence
// bound of each strategy at the size plan chose.
func planFigure(name string, seed uint64, slo sweep.SLO, plans []sweep.PlanResult, dir string) (string, error) {
	rows := make([]report.PlanRow, len(plans))
	for i, p := range plans {
		rows[i] = report.PlanRow{Strategy: p.Strategy, SingleServers: p.N, Met: p.Met, Result: p.Result}
	}
	f, err := report.PlanFigure(name, seed, report.PlanSLO{Metric: slo.FigureMetric(), Ms: slo.Ms, Bound: slo.Interval}, rows)
	if err != nil {
		return "", err
	}
	var paths []string
	for _, format := range []string{"png", "svg"} {
		var b bytes.Buffer
		if err := f.Render(&b, format, 300); err != nil {
			return "", err
		}
		path := filepath.Join(dir, f.Name+"."+format)
		if err := results.WriteFileAtomic(path, b.Bytes()); err != nil {
			return "", err
		}
		paths = append(paths, path)
	}
	return strings.Join(paths, ", "), nil
}
