package cli

import (
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

// Limits of the override flags: beyond them a run would not fit in memory or time.
const (
	maxRequests     = 1_000_000_000
	maxReplications = scenarios.MaxReplications
	maxWorkers      = 4096
)

// SLOHelp is the usage of --slo on run and sweep.
const SLOHelp = "latency objective, p99=300ms (p50 p90 p95 p99 p999 mean) or within=300ms[@99%]: adds the share of requests within it"

// SimFlags are the flags of the commands that simulate: run, sweep and plan.
type SimFlags struct {
	fs             *pflag.FlagSet
	Out            string // --out
	Workers        *Int
	seed           Uint64
	requests, reps *Int
	profile        string
	SLOText        string // --slo as given
	Quiet          bool
	EventLoop      bool         // --event-loop
	SLO            sweep.SLO    // from --slo
	HaveSLO        bool         // --slo was given
	prof           *sim.Profile // from --profile
	Progress       io.Writer    // stderr, unless --quiet
	TTY            bool         // Progress is a terminal
}

// AddSimFlags adds the flags of the commands that simulate to fs: --out
// (described by outHelp), --workers, the overrides --seed, --requests,
// --replications and --profile, --slo (described by sloUsage) and --quiet.
func AddSimFlags(fs *pflag.FlagSet, outHelp, sloUsage string) *SimFlags {
	f := &SimFlags{fs: fs}
	fs.StringVar(&f.Out, "out", "", outHelp)
	f.Workers = IntVar(fs, "workers", 0, 1, maxWorkers, "parallel runs (default: all cores); results do not depend on it")
	fs.Var(&f.seed, "seed", "override the scenario's seed")
	f.requests = IntVar(fs, "requests", 0, 1, maxRequests, "override the number of counted requests")
	f.reps = IntVar(fs, "replications", 0, 1, maxReplications, "override the number of replications")
	fs.StringVar(&f.profile, "profile", "", "use this profile file (or builtin:NAME) instead of the scenario's")
	fs.StringVar(&f.SLOText, "slo", "", sloUsage)
	fs.BoolVarP(&f.Quiet, "quiet", "q", false, "print no table and no progress")
	fs.BoolVar(&f.EventLoop, "event-loop", false, "simulate every run with the event loop, never the direct path: the same results, byte for byte, more slowly (a check)")
	return f
}

// Load reads --slo, the scenario and --profile: what can be refused before
// anything runs.
func (f *SimFlags) Load(cmd, name string, stderr io.Writer) (*sim.Scenario, *scenarios.Meta, error) {
	if f.SLOText != "" {
		slo, err := sweep.ParseSLO(f.SLOText)
		if err != nil {
			return nil, nil, Usage("collagesim %s: --slo: %v", cmd, err)
		}
		f.SLO, f.HaveSLO = slo, true
	}
	sc, meta, err := LoadScenario(name)
	if err == nil && f.profile != "" {
		if p, ok := strings.CutPrefix(f.profile, "builtin:"); ok {
			f.prof, err = scenarios.Builtin(p)
		} else {
			f.prof, err = scenarios.LoadProfile(f.profile)
		}
	}
	if err != nil {
		return nil, nil, Failed(err)
	}
	if !f.Quiet {
		f.Progress, f.TTY = stderr, IsTerminal(stderr)
	}
	return sc, meta, nil
}

// LoadScenario reads a scenario named on the command line: a file path, or
// the name of a bundled scenario.
func LoadScenario(name string) (*sim.Scenario, *scenarios.Meta, error) {
	if _, serr := os.Stat(name); serr == nil || strings.ContainsAny(name, "/.") {
		return scenarios.Load(name)
	}
	return scenarios.LoadBundled(strings.TrimPrefix(name, "builtin:"))
}

// Apply changes sc as the flags that were given say, and returns them as
// "key=value" for the results file; it refuses a scenario the overrides take
// past a limit, or that needs more memory than the machine has with
// --workers runs at once.
func (f *SimFlags) Apply(sc *sim.Scenario) ([]string, error) {
	var out []string
	sc.ForceEvents = f.EventLoop // not an override: it changes no result
	f.fs.Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "seed":
			sc.Seed = f.seed.V
		case "requests":
			sc.Requests = f.requests.V
		case "replications":
			sc.Replications = int(f.reps.V)
		default:
			return
		}
		out = append(out, fl.Name+"="+fl.Value.String())
	})
	if f.prof != nil {
		sc.Profile = f.prof // sim checks that the pools' models are in it
		out = append(out, "profile="+f.profile)
	}
	if len(out) > 0 {
		if err := scenarios.CheckLimits(sc); err != nil {
			return out, Failed(err)
		}
	}
	workers := int(f.Workers.V)
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	if err := scenarios.CheckMemory(sc, workers); err != nil {
		return out, Failed(err)
	}
	return out, nil
}

// OutDir is --out, or out/<the scenario's name, made safe as a folder name>.
func (f *SimFlags) OutDir(name string) string {
	if f.Out != "" {
		return f.Out
	}
	return results.DefaultDir(name)
}

// ReportFlags are the report flags of run, sweep, merge and report.
type ReportFlags struct {
	NoPlots, AllPoints bool
	Formats            []string
	Width, Baseline    string
}

// AddReportFlags adds --no-plots, --format (default formats), --width and
// --baseline to fs.
func AddReportFlags(fs *pflag.FlagSet, formats []string) *ReportFlags {
	r := &ReportFlags{}
	fs.BoolVar(&r.NoPlots, "no-plots", false, "write no figures or report")
	fs.StringSliceVar(&r.Formats, "format", formats, "figure formats: png, svg, pdf")
	fs.StringVar(&r.Width, "width", "one", "figure width: one (column, 3.5 in) or two (columns, 7 in)")
	fs.StringVar(&r.Baseline, "baseline", "", "strategy the ratios compare against (default: the first collage strategy)")
	fs.BoolVar(&r.AllPoints, "all-points", false, "in a sweep, draw the per-point figures (CDF, p99, ...) for every point, not one")
	return r
}

// Options checks the flags, and --baseline against the strategies of pt when
// it is not nil, and returns the report options.
func (r *ReportFlags) Options(cmd string, pt *results.Point) (report.Options, error) {
	opt := report.Options{Formats: r.Formats, Baseline: r.Baseline, Width: report.OneColumn, AllPoints: r.AllPoints}
	for _, f := range r.Formats {
		if !slices.Contains(report.Formats, f) {
			return opt, Usage("collagesim %s: --format %q: want any of %s", cmd, f, strings.Join(report.Formats, ", "))
		}
	}
	if r.Width == "two" {
		opt.Width = report.TwoColumn
	} else if r.Width != "one" {
		return opt, Usage("collagesim %s: --width %q: want one or two", cmd, r.Width)
	}
	if pt != nil && r.Baseline != "" {
		if _, err := results.Baseline(pt, r.Baseline); err != nil {
			return opt, Usage("collagesim %s: --%s", cmd, strings.TrimPrefix(err.Error(), "results: "))
		}
	}
	return opt, nil
}

// Strategies is a point with sc's strategy names and kinds, to check --baseline.
func Strategies(sc *sim.Scenario) *results.Point {
	pt := &results.Point{}
	for _, s := range sc.Strategies {
		pt.Strategies = append(pt.Strategies, sim.StrategyResult{Name: s.Name, Kind: s.Kind})
	}
	return pt
}

// Write writes the figures, tables and index.html of res into dir, unless --no-plots.
func (r *ReportFlags) Write(res *results.Results, dir string, opt report.Options) ([]string, error) {
	if r.NoPlots {
		return nil, nil
	}
	paths, err := report.Write(res, dir, opt)
	if err != nil {
		return nil, Failed(err)
	}
	return paths, nil
}
