package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

func sweepCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO [flags]",
		Short: "Run every point of the scenario's [sweep] table",
		Long: `Run every point of the scenario's [sweep] table (cartesian product, or zip) on a pool of
workers, each point's results written to points/point-NNNNN.json the moment it is done; then merge
them into summary.csv, results.json and the report, and print a table of every point. An
interrupted sweep continues with --resume; shards (--shard i/n, Slurm array tasks, Kubernetes
Indexed Jobs) sharing one --out folder merge into the same bytes as one run.`,
		Example: `  collagesim sweep capacity-sweep
  collagesim sweep sweep-load --requests 20000 --slo within=300ms --out out/load
  collagesim sweep capacity-sweep --shard 0/4 --out /shared/capacity --no-plots`,
		Args: cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	force := fs.Bool("force", false, "write into an output folder that holds other outputs, replacing collagesim's")
	workers := workersFlag(fs, "parallel runs")
	resume := fs.Bool("resume", false, "keep the points an earlier run of the same sweep finished")
	shardFlag := fs.String("shard", "", "run one share of the points, i/n (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)")
	shards := intVar(fs, "shards", 0, 1, 1<<20, "number of shards of a Kubernetes Indexed Job (with JOB_COMPLETION_INDEX)")
	trace := fs.Bool("trace", false, "also write every answer of every run to traces/point-NNNNN/trace-<strategy>-rep<N>.csv")
	ov := addOverrides(fs, sloHelp)
	rf := addReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opt, err := rf.options("sweep")
		if err != nil {
			return err
		}
		slo, haveSLO, err := ov.parseSLO("sweep")
		if err != nil {
			return err
		}
		shard, err := parseShard(*shardFlag, int(shards.v))
		if err != nil {
			return err
		}
		_, meta, err := loadScenario(args[0])
		if err != nil {
			return err
		}
		pts, err := scenarios.Expand(meta)
		if err != nil {
			return failed(err)
		}
		prof, err := ov.loadProfile()
		if err != nil {
			return err
		}
		var points []sweep.Point
		var overrides []string
		for _, p := range pts {
			overrides = ov.apply(fs, p.Scenario, prof)
			points = append(points, sweep.Point{Index: p.Index, Params: resultParams(p.Params), Scenario: p.Scenario})
		}
		first := pts[0].Scenario
		if err := rf.checkBaseline("sweep", first); err != nil {
			return err
		}
		h := sweep.Header{Scenario: first.Name, Seed: first.Seed, Points: len(points), ScenarioText: meta.Text,
			Profile: first.Profile.Name, Overrides: overrides, Tool: "collagesim " + version}
		if haveSLO {
			h.SLO = slo.Results()
		}
		if meta.Sweep != nil {
			for _, p := range meta.Sweep.Params {
				h.SweepParams = append(h.SweepParams, p.Key)
			}
		}
		dir := outDir(*out, first.Name, "")
		if err := results.PrepareDir(dir, first.Name, *force); err != nil {
			return failed(err)
		}
		so := sweep.Options{Dir: dir, Workers: int(workers.v), Resume: *resume, Shard: shard}
		so.Progress, so.TTY = progressTo(stderr, ov.quiet)
		if *trace {
			so.Trace = func(i int) func(string, int) (sim.TraceSink, error) {
				return results.TraceFiles(filepath.Join(dir, "traces", fmt.Sprintf("point-%05d", i)))
			}
		}
		ran, skipped, err := sweep.Run(h, points, so)
		if err != nil {
			return failed(err)
		}
		fmt.Fprintf(stdout, "%s: ran %d points, kept %d from before (shard %d/%d of %d points)\n", h.Scenario, ran, skipped, shard.I, max(1, shard.N), len(points))
		res, err := sweep.Merge(dir)
		if err != nil {
			if shard.N > 1 {
				fmt.Fprintf(stdout, "not all points are in %s yet; when every shard is done: collagesim merge DIR...\n", dir)
				return nil
			}
			return failed(err)
		}
		return writeMerged(res, dir, rf, opt, ov.quiet, stdout)
	}
	return cmd
}

// parseShard reads --shard, else the shard a cluster scheduler's environment names.
func parseShard(flag string, shards int) (sweep.Shard, error) {
	if flag != "" {
		sh, err := sweep.ParseShard(flag)
		if err != nil {
			return sh, usageErr("collagesim sweep: --shard: %v", err)
		}
		return sh, nil
	}
	sh, _, err := sweep.ShardFromEnv(os.Getenv, shards)
	if err != nil {
		return sh, usageErr("collagesim sweep: %v", err)
	}
	return sh, nil
}

// resultParams writes swept values as the results show them: strings unquoted.
func resultParams(ps []scenarios.Param) []results.Param {
	var out []results.Param
	for _, p := range ps {
		v := strings.TrimPrefix(p.String(), p.Key+"=")
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		out = append(out, results.Param{Key: p.Key, Value: v})
	}
	return out
}

// writeMerged writes a sweep's merged results and report, and prints its table.
func writeMerged(res *results.Results, dir string, rf *reportFlags, opt report.Options, quiet bool, stdout io.Writer) error {
	paths, err := results.Write(dir, res)
	if err != nil {
		return failed(err)
	}
	more, err := rf.write(res, dir, opt)
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintln(stdout)
		if err := results.SweepTable(stdout, res, rf.baseline); err != nil {
			return failed(err)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "%d points merged (%d strategy rows unstable); wrote %d files to %s/\n",
		len(res.Points), results.Unstable(res), len(paths)+len(more), dir)
	return nil
}

func mergeCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge DIR... [flags]",
		Short: "Join the point files of sweep shards",
		Long: `Join the point files (points/point-NNNNN.json) that the shards of one sweep wrote into one or
more folders, and write the merged summary.csv, results.json and report. Every point must be there,
and every file must belong to the same sweep.`,
		Example: `  collagesim merge /shared/capacity
  collagesim merge shard0/ shard1/ --out out/capacity`,
		Args: cobra.MinimumNArgs(1),
	}
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default: the first DIR)")
	quiet := fs.BoolP("quiet", "q", false, "print no table")
	rf := addReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opt, err := rf.options("merge")
		if err != nil {
			return err
		}
		res, err := sweep.Merge(args...)
		if err != nil {
			return failed(err)
		}
		if rf.baseline != "" {
			if _, err := results.Baseline(&res.Points[0], rf.baseline); err != nil {
				return usageErr("collagesim merge: --%v", strings.TrimPrefix(err.Error(), "results: "))
			}
		}
		dir := *out
		if dir == "" {
			dir = args[0]
		}
		return writeMerged(res, dir, rf, opt, *quiet, stdout)
	}
	return cmd
}
