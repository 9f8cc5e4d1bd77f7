package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

func sweepCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := command("sweep", cobra.ExactArgs(1))
	fs := cmd.Flags()
	sf := cli.AddSimFlags(fs, "output folder (default out/<scenario name>)", cli.SLOHelp)
	force := fs.Bool("force", false, "write into an output folder that holds other outputs, replacing collagesim's")
	resume := fs.Bool("resume", false, "keep the points an earlier run of the same sweep finished")
	shardFlag := fs.String("shard", "", "run one share of the points, i/n (default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX of --shards)")
	shards := cli.IntVar(fs, "shards", 0, 1, 1<<20, "number of shards of the whole sweep, for a Slurm array task or a Kubernetes Indexed Job (or COLLAGESIM_SHARDS)")
	trace := fs.Bool("trace", false, "also write every answer of every run to traces/point-NNNNN/trace-<strategy>-rep<N>.csv")
	rf := cli.AddReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		shard, err := cli.ParseShard(*shardFlag, int(shards.V))
		if err != nil {
			return err
		}
		_, meta, err := sf.Load("sweep", args[0], stderr)
		if err != nil {
			return err
		}
		pts, err := scenarios.Expand(meta)
		if err != nil {
			return failed(err)
		}
		var points []sweep.Point
		var overrides []string
		var mine []scenarios.Point
		for _, p := range pts {
			if overrides, err = sf.Apply(p.Scenario); err != nil {
				return err
			}
			points = append(points, sweep.Point{Index: p.Index, Params: cli.ResultParams(p.Params), Scenario: p.Scenario})
			if shard.Owns(p.Index) {
				mine = append(mine, p)
			}
		}
		if err := scenarios.CheckSweepWork(meta, mine, shard.I, shard.N); err != nil {
			return failed(err)
		}
		first := pts[0].Scenario
		opt, err := rf.Options("sweep", cli.Strategies(first))
		if err != nil {
			return err
		}
		h := sweep.Header{Scenario: first.Name, Seed: first.Seed, Points: len(points), ScenarioText: meta.Text,
			Profile: first.Profile.Name, Overrides: overrides, Tool: "collagesim " + version}
		if sf.HaveSLO {
			h.SLO = sf.SLO.Results()
		}
		if meta.Sweep != nil {
			for _, p := range meta.Sweep.Params {
				h.SweepParams = append(h.SweepParams, p.Key)
			}
		}
		dir := sf.OutDir(first.Name)
		if err := results.PrepareDir(dir, first.Name, *force); err != nil {
			return failed(err)
		}
		so := sweep.Options{Dir: dir, Workers: int(sf.Workers.V), Resume: *resume, Shard: shard, Progress: sf.Progress, TTY: sf.TTY}
		if *trace {
			so.Trace = func(i int) func(string, int) (sim.TraceSink, error) {
				return results.TraceFiles(filepath.Join(dir, "traces", fmt.Sprintf("point-%05d", i)))
			}
		}
		defer cli.OnInterrupt(dir, stderr, "the finished points are kept in "+dir+"/points: run again with --resume")()
		ran, skipped, err := sweep.Run(h, points, so)
		if err != nil {
			return failed(err)
		}
		fmt.Fprintf(stdout, "%s: ran %d points, kept %d from before (shard %d/%d of %d points)\n", h.Scenario, ran, skipped, shard.I, max(1, shard.N), len(points))
		res, err := sweep.Merge(dir)
		if err != nil && shard.N > 1 {
			fmt.Fprintf(stdout, "not all points are in %s yet; when every shard is done: collagesim merge DIR...\n", dir)
			return nil
		} else if err != nil {
			return failed(err)
		}
		return cli.WriteMerged(res, dir, rf, opt, sf.Quiet, stdout)
	}
	return cmd
}

func mergeCmd(stdout io.Writer) *cobra.Command {
	cmd := command("merge", cobra.MinimumNArgs(1))
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default: the first DIR)")
	quiet := fs.BoolP("quiet", "q", false, "print no table")
	force := fs.Bool("force", false, "write into an output folder that holds other outputs, replacing collagesim's")
	rf := cli.AddReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if _, err := rf.Options("merge", nil); err != nil {
			return err
		}
		res, err := sweep.Merge(args...)
		if err != nil {
			return failed(err)
		}
		opt, err := rf.Options("merge", &res.Points[0])
		if err != nil {
			return err
		}
		if *out == "" {
			*out = args[0]
		}
		if err := results.PrepareDir(*out, res.Scenario, *force); err != nil {
			return failed(err)
		}
		return cli.WriteMerged(res, *out, rf, opt, *quiet, stdout)
	}
	return cmd
}
