package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sweep"
)

func runCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run [SCENARIO] [flags]",
		Short: "Simulate a scenario (default: the paper comparison)",
		Long: `Simulate every strategy of a scenario over its replications on common random numbers, print
the comparison table, and write summary.csv, results.json, figures and tables into the output
folder (out/<scenario name> unless --out). Same seed, same bytes, whatever --workers.`,
		Example: `  collagesim run
  collagesim run mm1 --requests 20000 --replications 5 --out out/mm1
  collagesim run default --slo p99=300ms --baseline replicate-full`,
		Args: cobra.MaximumNArgs(1),
	}
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	force := fs.Bool("force", false, "write into an output folder that holds other outputs, replacing collagesim's")
	workers := workersFlag(fs, "parallel runs")
	trace := fs.Bool("trace", false, "also write every answer of every run to trace-<strategy>-rep<N>.csv")
	ov := addOverrides(fs, sloHelp)
	rf := addReportFlags(fs, []string{"png", "svg"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opt, err := rf.options("run")
		if err != nil {
			return err
		}
		slo, haveSLO, err := ov.parseSLO("run")
		if err != nil {
			return err
		}
		name := "default"
		if len(args) == 1 {
			name = args[0]
		}
		sc, meta, err := loadScenario(name)
		if err != nil {
			return err
		}
		prof, err := ov.loadProfile()
		if err != nil {
			return err
		}
		overrides := ov.apply(fs, sc, prof)
		if err := rf.checkBaseline("run", sc); err != nil {
			return err
		}
		dir := outDir(*out, sc.Name, "")
		if err := results.PrepareDir(dir, sc.Name, *force); err != nil {
			return failed(err)
		}
		so := sweep.SimOptions{Workers: int(workers.v)}
		so.Progress, so.TTY = progressTo(stderr, ov.quiet)
		if *trace {
			so.Trace = results.TraceFiles(dir)
		}
		res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim " + version, Scenario: sc.Name, Seed: sc.Seed,
			ScenarioText: meta.Text, Profile: sc.Profile.Name, Overrides: overrides}
		if haveSLO {
			so.WithinMs, res.SLO = slo.Ms, slo.Results()
		}
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
		if !ov.quiet {
			fmt.Fprintf(stdout, "%s: seed %d, profile %s\n%d strategies x %d replications x %d requests in %.1fs\n\n",
				sc.Name, sc.Seed, sc.Profile.Name, len(strats), max(1, sc.Replications), sc.Requests, time.Since(start).Seconds())
			printTables(stdout, res, &res.Points[0], rf.baseline, slo, haveSLO)
		}
		more, err := rf.write(res, dir, opt)
		if err != nil {
			return err
		}
		if *trace {
			n := len(strats) * max(1, sc.Replications)
			fmt.Fprintf(stdout, "wrote %d files to %s/ and %d trace files\n", len(paths)+len(more), dir, n)
			return nil
		}
		fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths)+len(more), dir)
		return nil
	}
	return cmd
}

// printTables prints a point's comparison, answer sources and, with an SLO,
// the share of requests within it.
func printTables(w io.Writer, res *results.Results, pt *results.Point, baseline string, slo sweep.SLO, haveSLO bool) {
	results.Table(w, pt, baseline)
	fmt.Fprintln(w)
	results.SourceTable(w, pt)
	fmt.Fprintln(w)
	if haveSLO {
		sweep.SLOTable(w, slo, pt)
		fmt.Fprintln(w)
	}
}

func validateCmd(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files; errors name file:line and key path",
		Long: `Decode and check each scenario (and its [sweep] table and profile) without running it. Every
problem is printed with its file:line and key path; the exit code is 1 if any scenario is bad.`,
		Example: `  collagesim validate my.toml
  collagesim validate scenarios/bundled/*.toml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := false
			for _, name := range args {
				sc, meta, err := loadScenario(name)
				if err == nil && meta.Sweep != nil {
					_, err = scenarios.Expand(meta)
				}
				if err != nil {
					fmt.Fprintln(stderr, err.(*exitError).err)
					bad = true
					continue
				}
				fmt.Fprintf(stdout, "%s: ok (%d pools, %d strategies, %d straggler models)\n", name, len(sc.Pools), len(sc.Strategies), len(sc.Stragglers))
			}
			if bad {
				return &exitError{code: 1}
			}
			return nil
		},
	}
}

func scenariosCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:     "scenarios",
		Short:   "List the bundled scenarios",
		Long:    "List the bundled scenarios by name, each with what it shows; run one with \"collagesim run NAME\".",
		Example: "  collagesim scenarios",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, b := range scenarios.Bundled() {
				fmt.Fprintf(stdout, "%-28s %s\n", b.Name, b.Summary)
			}
			return nil
		},
	}
}
