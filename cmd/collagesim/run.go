package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

func runMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "run [SCENARIO] [flags]", stderr)
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	ov := addOverrides(fs)
	workers := fs.Int("workers", 0, "parallel runs (default: all cores); results do not depend on it")
	profile := fs.String("profile", "", "use this profile file (or builtin:NAME) instead of the scenario's")
	pf := addPlotFlags(fs, "png,svg")
	quiet := fs.Bool("quiet", false, "print no table")
	trace := fs.Bool("trace", false, "also write every answer of every run to trace-<strategy>-rep<N>.csv")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if _, err := pf.options(); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "collagesim run: one scenario at a time, got %d: %s\n", len(pos), strings.Join(pos, " "))
		return 2
	}
	name := "default"
	if len(pos) == 1 {
		name = pos[0]
	}
	sc, meta, err := loadScenario(name)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	overrides, err := ov.apply(fs, sc)
	if err != nil {
		fmt.Fprintln(stderr, "collagesim run:", err)
		return 2
	}
	if *profile != "" {
		p, err := loadProfile(*profile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		sc.Profile = p // sim checks that the pools' models are in it
		overrides = append(overrides, "profile="+*profile)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name)
	}
	start := time.Now()
	opt := sim.Options{Workers: *workers}
	if *trace {
		opt.Trace = results.TraceFiles(dir)
	}
	strats, err := sim.SimulateWith(sc, opt)
	if err != nil {
		fmt.Fprintf(stderr, "collagesim run: %s: %v\n", name, err)
		return 1
	}
	res := &results.Results{
		Version: results.ResultsVersion, Tool: "collagesim " + version, Scenario: sc.Name, Seed: sc.Seed,
		Points: []results.Point{{Index: 0, Strategies: strats}}, ScenarioText: meta.Text, Profile: sc.Profile.Name,
		Overrides: overrides,
	}
	paths, err := results.Write(dir, res)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: %d strategies x %d replications x %d requests, seed %d, profile %s (%.1fs)\n\n",
			sc.Name, len(strats), max(1, sc.Replications), sc.Requests, sc.Seed, sc.Profile.Name, time.Since(start).Seconds())
		results.Table(stdout, &res.Points[0])
		fmt.Fprintln(stdout)
		results.SourceTable(stdout, &res.Points[0])
		fmt.Fprintln(stdout)
	}
	more, err := pf.writeReport(res, dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	paths = append(paths, more...)
	fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths), dir)
	return 0
}

// loadScenario loads a scenario file, or a bundled scenario by name.
func loadScenario(name string) (*sim.Scenario, *scenarios.Meta, error) {
	if _, err := os.Stat(name); err == nil || strings.ContainsAny(name, "/.") {
		return scenarios.Load(name)
	}
	return scenarios.LoadBundled(strings.TrimPrefix(name, "builtin:"))
}

func loadProfile(name string) (*sim.Profile, error) {
	if strings.HasPrefix(name, "builtin:") {
		return scenarios.Builtin(strings.TrimPrefix(name, "builtin:"))
	}
	return scenarios.LoadProfile(name)
}

func validateMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", "validate SCENARIO...", stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		fs.Usage()
		return 2
	}
	code := 0
	for _, name := range pos {
		sc, _, err := loadScenario(name)
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%d pools, %d strategies, %d straggler models)\n", name, len(sc.Pools), len(sc.Strategies), len(sc.Stragglers))
	}
	return code
}

func scenariosMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("scenarios", "scenarios", stderr)
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	for _, b := range scenarios.Bundled() {
		fmt.Fprintf(stdout, "%-28s %s\n", b.Name, b.Summary)
	}
	return 0
}
