package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

// intFlag is an integer flag within [lo, hi] that says what is wrong with a
// value: "must be a non-negative integer, got -1".
type intFlag struct {
	v      int64
	lo, hi int64
}

func (f *intFlag) String() string { return strconv.FormatInt(f.v, 10) }
func (f *intFlag) Type() string   { return "int" }
func (f *intFlag) Set(s string) error {
	x, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || x < f.lo || x > f.hi {
		switch {
		case f.lo == 0:
			return fmt.Errorf("must be a non-negative integer of at most %d, got %s", f.hi, s)
		default:
			return fmt.Errorf("must be an integer from %d to %d, got %s", f.lo, f.hi, s)
		}
	}
	f.v = x
	return nil
}

func intVar(fs *pflag.FlagSet, name string, def, lo, hi int64, usage string) *intFlag {
	f := &intFlag{v: def, lo: lo, hi: hi}
	fs.Var(f, name, usage)
	return f
}

// seedFlag is the scenario seed: any uint64.
type seedFlag struct{ v uint64 }

func (f *seedFlag) String() string { return strconv.FormatUint(f.v, 10) }
func (f *seedFlag) Type() string   { return "uint" }
func (f *seedFlag) Set(s string) error {
	x, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("must be a non-negative integer, got %s", s)
	}
	f.v = x
	return nil
}

// Limits of the override flags: beyond them a run would not fit in memory or time.
const (
	maxRequests     = 1_000_000_000
	maxReplications = 10_000
	maxWorkers      = 4096
)

// overrides are the flags run, sweep and plan share to change a scenario.
type overrides struct {
	seed     seedFlag
	requests *intFlag
	reps     *intFlag
	profile  string
	slo      string
	quiet    bool
}

func addOverrides(fs *pflag.FlagSet, sloHelp string) *overrides {
	o := &overrides{}
	fs.Var(&o.seed, "seed", "override the scenario's seed")
	o.requests = intVar(fs, "requests", 0, 1, maxRequests, "override the number of counted requests")
	o.reps = intVar(fs, "replications", 0, 1, maxReplications, "override the number of replications")
	fs.StringVar(&o.profile, "profile", "", "use this profile file (or builtin:NAME) instead of the scenario's")
	fs.StringVar(&o.slo, "slo", "", sloHelp)
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print no table and no progress")
	return o
}

const sloHelp = "latency objective, p99=300ms (p50 p90 p95 p99 p999 mean) or within=300ms[@99%]: adds the share of requests within it"

// parseSLO reads --slo; ok is false when it was not given.
func (o *overrides) parseSLO(cmd string) (sweep.SLO, bool, error) {
	if o.slo == "" {
		return sweep.SLO{}, false, nil
	}
	slo, err := sweep.ParseSLO(o.slo)
	if err != nil {
		return slo, false, usageErr("collagesim %s: --slo: %v", cmd, err)
	}
	return slo, true, nil
}

// loadProfile reads --profile once, before any scenario is changed.
func (o *overrides) loadProfile() (*sim.Profile, error) {
	if o.profile == "" {
		return nil, nil
	}
	var p *sim.Profile
	var err error
	if name, ok := strings.CutPrefix(o.profile, "builtin:"); ok {
		p, err = scenarios.Builtin(name)
	} else {
		p, err = scenarios.LoadProfile(o.profile)
	}
	if err != nil {
		return nil, failed(err)
	}
	return p, nil
}

// apply changes sc as the flags that were given say (prof from loadProfile),
// and returns them as "key=value" for the results file.
func (o *overrides) apply(fs *pflag.FlagSet, sc *sim.Scenario, prof *sim.Profile) []string {
	var out []string
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "seed":
			sc.Seed = o.seed.v
		case "requests":
			sc.Requests = o.requests.v
		case "replications":
			sc.Replications = int(o.reps.v)
		default:
			return
		}
		out = append(out, f.Name+"="+f.Value.String())
	})
	if prof != nil {
		sc.Profile = prof // sim checks that the pools' models are in it
		out = append(out, "profile="+o.profile)
	}
	return out
}

// reportFlags are the report flags of run, sweep, merge and report.
type reportFlags struct {
	noPlots  bool
	formats  []string
	width    string
	baseline string
}

func addReportFlags(fs *pflag.FlagSet, formats []string) *reportFlags {
	r := &reportFlags{}
	fs.BoolVar(&r.noPlots, "no-plots", false, "write no figures or report")
	fs.StringSliceVar(&r.formats, "format", formats, "figure formats: png, svg, pdf")
	fs.StringVar(&r.width, "width", "one", "figure width: one (column, 3.5 in) or two (columns, 7 in)")
	fs.StringVar(&r.baseline, "baseline", "", "strategy the ratios compare against (default: the first collage strategy)")
	return r
}

// options checks the flags and returns the report options.
func (r *reportFlags) options(cmd string) (report.Options, error) {
	opt := report.Options{Formats: r.formats, Baseline: r.baseline}
	for _, f := range r.formats {
		if !slices.Contains(report.Formats, f) {
			return opt, usageErr("collagesim %s: --format %q: want any of %s", cmd, f, strings.Join(report.Formats, ", "))
		}
	}
	switch r.width {
	case "one":
		opt.Width = report.OneColumn
	case "two":
		opt.Width = report.TwoColumn
	default:
		return opt, usageErr("collagesim %s: --width %q: want one or two", cmd, r.width)
	}
	return opt, nil
}

// checkBaseline refuses a --baseline that names none of sc's strategies,
// before anything runs.
func (r *reportFlags) checkBaseline(cmd string, sc *sim.Scenario) error {
	if r.baseline == "" {
		return nil
	}
	pt := results.Point{}
	for _, s := range sc.Strategies {
		pt.Strategies = append(pt.Strategies, sim.StrategyResult{Name: s.Name, Kind: s.Kind})
	}
	if _, err := results.Baseline(&pt, r.baseline); err != nil {
		return usageErr("collagesim %s: --%v", cmd, strings.TrimPrefix(err.Error(), "results: "))
	}
	return nil
}

// write writes the figures, tables and index.html of res into dir, unless
// --no-plots.
func (r *reportFlags) write(res *results.Results, dir string, opt report.Options) ([]string, error) {
	if r.noPlots {
		return nil, nil
	}
	paths, err := report.Write(res, dir, opt)
	if err != nil {
		return nil, failed(err)
	}
	return paths, nil
}

// workersFlag adds --workers: 0 (the default) means all cores.
func workersFlag(fs *pflag.FlagSet, usage string) *intFlag {
	f := &intFlag{lo: 1, hi: maxWorkers}
	fs.Var(f, "workers", usage+" (default: all cores); results do not depend on it")
	return f
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// loadScenario loads a scenario file, or a bundled scenario by name.
func loadScenario(name string) (*sim.Scenario, *scenarios.Meta, error) {
	var sc *sim.Scenario
	var meta *scenarios.Meta
	var err error
	if _, serr := os.Stat(name); serr == nil || strings.ContainsAny(name, "/.") {
		sc, meta, err = scenarios.Load(name)
	} else {
		sc, meta, err = scenarios.LoadBundled(strings.TrimPrefix(name, "builtin:"))
	}
	if err != nil {
		return nil, nil, failed(err)
	}
	return sc, meta, nil
}

// outDir is --out, or out/<the scenario's name, made safe as a folder name>.
func outDir(out, name, suffix string) string {
	if out != "" {
		return out
	}
	return results.DefaultDir(name + suffix)
}

// progressTo is where progress goes: stderr, unless --quiet.
func progressTo(stderr io.Writer, quiet bool) (io.Writer, bool) {
	if quiet {
		return nil, false
	}
	return stderr, isTerminal(stderr)
}
