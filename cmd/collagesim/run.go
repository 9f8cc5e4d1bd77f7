package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sweep"
)

func runCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := command("run", cobra.MaximumNArgs(1))
	fs := cmd.Flags()
	sf := cli.AddSimFlags(fs, "output folder (default out/<scenario name>)", cli.SLOHelp)
	force := fs.Bool("force", false, "write into an output folder that holds other outputs, replacing collagesim's")
	trace := fs.Bool("trace", false, "also write every answer of every run to trace-<strategy>-rep<N>.csv")
	rf := cli.AddReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name := "default"
		if len(args) == 1 {
			name = args[0]
		}
		sc, meta, err := sf.Load("run", name, stderr)
		if err != nil {
			return err
		}
		overrides, err := sf.Apply(sc)
		if err != nil {
			return err
		}
		opt, err := rf.Options("run", cli.Strategies(sc))
		if err != nil {
			return err
		}
		dir := sf.OutDir(sc.Name)
		if err := results.PrepareDir(dir, sc.Name, *force); err != nil {
			return failed(err)
		}
		so := sweep.SimOptions{Workers: int(sf.Workers.V), Progress: sf.Progress, TTY: sf.TTY}
		if *trace {
			so.Trace = results.TraceFiles(dir)
		}
		res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim " + version, Scenario: sc.Name, Seed: sc.Seed,
			ScenarioText: meta.Text, Profile: sc.Profile.Name, Overrides: overrides}
		if sf.HaveSLO {
			so.WithinMs, res.SLO = sf.SLO.Ms, sf.SLO.Results()
		}
		defer cli.OnInterrupt(dir, stderr, "no results written to "+dir)()
		start := time.Now()
		strats, within, err := sweep.Simulate(sc, so)
		if err != nil {
			return failed(fmt.Errorf("collagesim run: %s: %w", name, err))
		}
		res.Points = []results.Point{{Index: 0, Strategies: strats, Within: within}}
		paths, err := results.Write(dir, res)
		if err != nil {
			return failed(err)
		}
		if !sf.Quiet {
			fmt.Fprintf(stdout, "%s: seed %d, profile %s\n%d strategies x %d replications x %d requests in %.1fs\n\n",
				sc.Name, sc.Seed, sc.Profile.Name, len(strats), max(1, sc.Replications), sc.Requests, time.Since(start).Seconds())
			pt := &res.Points[0]
			results.Table(stdout, pt, rf.Baseline)
			fmt.Fprintln(stdout)
			results.SourceTable(stdout, pt)
			if sf.HaveSLO {
				fmt.Fprintln(stdout)
				sweep.SLOTable(stdout, sf.SLO, pt)
			}
			fmt.Fprintln(stdout)
		}
		more, err := rf.Write(res, dir, opt)
		if err != nil {
			return err
		}
		traces := ""
		if *trace {
			traces = fmt.Sprintf(" and %d trace files", len(strats)*max(1, sc.Replications))
		}
		fmt.Fprintf(stdout, "wrote %d files%s to %s/\n", len(paths)+len(more), traces, dir)
		return nil
	}
	return cmd
}

func validateCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := command("validate", cobra.MinimumNArgs(1))
	shardFlag := cmd.Flags().String("shard", "", "check a sweep's points as \"sweep --shard i/n\" runs them: its total work is that of one share, i/n")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var shard sweep.Shard
		if *shardFlag != "" {
			var err error
			if shard, err = sweep.ParseShard(*shardFlag); err != nil {
				return usageErr("collagesim validate: --shard: %v", err)
			}
		}
		var sf cli.SimFlags
		bad := false
		for _, name := range args {
			sc, meta, err := sf.Load("validate", name, nil)
			if err == nil && meta.Sweep != nil {
				err = checkSweep(meta, shard)
			}
			if err != nil {
				fmt.Fprintln(stderr, err)
				bad = true
				continue
			}
			fmt.Fprintf(stdout, "%s: ok (%d pools, %d strategies, %d straggler models)\n", name, len(sc.Pools), len(sc.Strategies), len(sc.Stragglers))
		}
		if bad {
			return &cli.ExitError{Code: 1}
		}
		return nil
	}
	return cmd
}

// checkSweep expands a sweep and checks the points shard runs together.
func checkSweep(meta *scenarios.Meta, shard sweep.Shard) error {
	pts, err := scenarios.Expand(meta)
	if err != nil {
		return failed(err)
	}
	var mine []scenarios.Point
	for _, p := range pts {
		if shard.Owns(p.Index) {
			mine = append(mine, p)
		}
	}
	if err := scenarios.CheckSweepWork(meta, mine, shard.I, shard.N); err != nil {
		return failed(err)
	}
	return nil
}

func scenariosCmd(stdout io.Writer) *cobra.Command {
	cmd := command("scenarios", cobra.NoArgs)
	cmd.Run = func(*cobra.Command, []string) {
		for _, b := range scenarios.Bundled() {
			fmt.Fprintf(stdout, "%-28s %s\n", b.Name, b.Summary)
		}
	}
	return cmd
}
