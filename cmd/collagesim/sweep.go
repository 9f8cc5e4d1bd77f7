package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/sweep"
)

// overrideFlags are the flags run, sweep and plan share to change a scenario.
type overrideFlags struct {
	seed     *uint64
	requests *int64
	reps     *int
}

func addOverrides(fs *flag.FlagSet) overrideFlags {
	return overrideFlags{
		seed:     fs.Uint64("seed", 0, "override the scenario's seed"),
		requests: fs.Int64("requests", 0, "override the number of counted requests"),
		reps:     fs.Int("replications", 0, "override the number of replications"),
	}
}

// apply changes sc as the flags that were given say, and returns them as
// "key=value" for the results file.
func (o overrideFlags) apply(fs *flag.FlagSet, sc *sim.Scenario) ([]string, error) {
	var out []string
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "seed":
			sc.Seed = *o.seed
		case "requests":
			if *o.requests < 1 {
				err = fmt.Errorf("--requests must be >= 1")
			}
			sc.Requests = *o.requests
		case "replications":
			if *o.reps < 1 {
				err = fmt.Errorf("--replications must be >= 1")
			}
			sc.Replications = *o.reps
		default:
			return
		}
		out = append(out, f.Name+"="+f.Value.String())
	})
	if err == nil && len(out) > 0 {
		err = scenarios.CheckLimits(sc)
	}
	return out, err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// paramValue writes a swept value as the results show it: strings unquoted.
func paramValue(p scenarios.Param) string {
	v := strings.TrimPrefix(p.String(), p.Key+"=")
	if u, err := strconv.Unquote(v); err == nil {
		return u
	}
	return v
}

func sweepMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sweep", "sweep SCENARIO [flags]", stderr)
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	workers := fs.Int("workers", 0, "points run at once (default: all cores); results do not depend on it")
	resume := fs.Bool("resume", false, "keep the points an earlier run of the same sweep finished")
	shardFlag := fs.String("shard", "", "run one share of the points, i/n (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)")
	shards := fs.Int("shards", 0, "number of shards of a Kubernetes Indexed Job (with JOB_COMPLETION_INDEX)")
	pf := addPlotFlags(fs, "png,svg")
	ov := addOverrides(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	_, meta, err := loadScenario(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	pts, err := scenarios.Expand(meta)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var shard sweep.Shard
	if *shardFlag != "" {
		if shard, err = sweep.ParseShard(*shardFlag); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	} else if sh, ok, err := sweep.ShardFromEnv(os.Getenv, *shards); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	} else if ok {
		shard = sh
	}
	var points []sweep.Point
	var overrides []string
	for _, p := range pts {
		if overrides, err = ov.apply(fs, p.Scenario); err != nil {
			fmt.Fprintln(stderr, "collagesim sweep:", err)
			return 2
		}
		var params []results.Param
		for _, q := range p.Params {
			params = append(params, results.Param{Key: q.Key, Value: paramValue(q)})
		}
		points = append(points, sweep.Point{Index: p.Index, Params: params, Scenario: p.Scenario})
	}
	first := pts[0].Scenario
	h := sweep.Header{Scenario: first.Name, Seed: first.Seed, Points: len(points), ScenarioText: meta.Text,
		Profile: first.Profile.Name, Overrides: overrides, Tool: "collagesim " + version}
	if meta.Sweep != nil {
		for _, p := range meta.Sweep.Params {
			h.SweepParams = append(h.SweepParams, p.Key)
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", first.Name)
	}
	ran, skipped, err := sweep.Run(h, points, sweep.Options{Dir: dir, Workers: *workers, Resume: *resume, Shard: shard,
		Progress: stderr, TTY: isTerminal(stderr)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ran %d points, kept %d from before (shard %d/%d of %d points)\n", h.Scenario, ran, skipped, shard.I, max(1, shard.N), len(points))
	res, err := sweep.Merge(dir)
	if err != nil {
		if shard.N > 1 {
			fmt.Fprintf(stdout, "not all points are in %s yet; when every shard is done: collagesim merge DIR...\n", dir)
			return 0
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	return writeMerged(res, dir, pf, stdout, stderr)
}

// writeMerged writes a sweep's merged results and report.
func writeMerged(res *results.Results, dir string, pf plotFlags, stdout, stderr io.Writer) int {
	paths, err := results.Write(dir, res)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	more, err := pf.writeReport(res, dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	paths = append(paths, more...)
	var b bytes.Buffer
	results.SummaryCSV(&b, res)
	unstable := strings.Count(b.String(), ",true\n")
	fmt.Fprintf(stdout, "%d points merged (%d strategy rows unstable); wrote %d files to %s/\n", len(res.Points), unstable, len(paths), dir)
	return 0
}

func mergeMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", "merge DIR... [flags]", stderr)
	out := fs.String("out", "", "output folder (default: the first DIR)")
	pf := addPlotFlags(fs, "png,svg")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		fs.Usage()
		return 2
	}
	res, err := sweep.Merge(pos...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dir := *out
	if dir == "" {
		dir = pos[0]
	}
	return writeMerged(res, dir, pf, stdout, stderr)
}
