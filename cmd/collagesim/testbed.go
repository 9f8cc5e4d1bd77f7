package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/testbed"
)

// endpointFlag collects --endpoint POOL=URL[,POOL=URL...], repeatable.
type endpointFlag map[string][]string

func (e endpointFlag) String() string { return "" }

func (e endpointFlag) Set(s string) error {
	for _, f := range splitList(s) {
		pool, url, ok := strings.Cut(f, "=")
		if !ok || pool == "" || !(strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")) {
			return fmt.Errorf("%q: want POOL=http://HOST:PORT", f)
		}
		e[pool] = append(e[pool], strings.TrimSuffix(url, "/"))
	}
	return nil
}

func testbedMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("testbed", "testbed SCENARIO [flags]", stderr)
	out := fs.String("out", "", "output folder (default out/<scenario name>-testbed)")
	requests := fs.Int64("requests", 0, "counted requests per strategy (default: the scenario's)")
	scale := fs.Float64("time-scale", 0, "divide service times and arrival gaps by F on the wall clock (0: chosen from the measured timer, round trip and free CPU)")
	reps := fs.Int("replications", 1, "replications per strategy (the scenario's count is for the simulator)")
	modelsDir := fs.String("models", ".cache/models", "folder of the bundled models (as make calibrate builds them; built here when missing)")
	lib := fs.String("ort-lib", "", "ONNX Runtime shared library (libonnxruntime.so.1)")
	threads := fs.Int("threads", 1, "ONNX Runtime intra-op threads per worker")
	drain := fs.Duration("drain", 30*time.Second, "longest wait for answers after the last arrival")
	cifar := fs.String("cifar", "", "labelled requests from a CIFAR-10 binary batch file (default: synthetic images)")
	eps := endpointFlag{}
	fs.Var(eps, "endpoint", "send a pool's tasks to running KServe v2 servers: POOL=URL[,POOL=URL...] (repeatable)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	if *requests < 0 || *scale < 0 || *reps < 1 {
		fmt.Fprintln(stderr, "collagesim testbed: --requests and --time-scale must be >= 0, --replications >= 1")
		return 2
	}
	sc, meta, err := loadScenario(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for pool := range eps {
		if !slices.ContainsFunc(sc.Pools, func(p sim.PoolSpec) bool { return p.Name == pool }) {
			fmt.Fprintf(stderr, "collagesim testbed: --endpoint: scenario %s has no pool %q\n", sc.Name, pool)
			return 2
		}
	}
	simReps := sc.Replications
	sc.Replications = *reps
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *scale == 0 {
		f, why, err := testbed.AutoScale(sc)
		if err != nil {
			fmt.Fprintln(stderr, "collagesim testbed:", err)
			return 1
		}
		fmt.Fprintf(stdout, "time scale %g: %s\n", f, why)
		*scale = f
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "collagesim testbed:", err)
		return 1
	}
	cfg := testbed.Config{Scenario: sc, Requests: *requests, TimeScale: *scale, ModelsDir: *modelsDir,
		WorkerCommand: []string{exe, "testbed-worker"}, Endpoints: eps, ORTLib: *lib, Threads: *threads, Drain: *drain, Log: stderr}
	if *lib != "" {
		cfg.WorkerEnv = []string{"ONNXRUNTIME_LIB=" + *lib}
	}
	if *cifar != "" {
		if cfg.Images, err = models.LoadCIFAR10(*cifar, 0); err != nil {
			fmt.Fprintln(stderr, "collagesim testbed:", err)
			return 1
		}
	}
	if _, err := models.ReadBundle(*modelsDir); err != nil {
		// Build the bundle as `collagesim calibrate` does by default.
		fmt.Fprintf(stderr, "collagesim testbed: no bundled models in %s: building them (arch small, grids 2,3,4, parity k 2,4,9, seed 1)\n", *modelsDir)
		a, _ := models.ParseArch("small")
		if err := models.InitRuntime(*lib); err != nil {
			fmt.Fprintln(stderr, "collagesim testbed:", err)
			return 1
		}
		if _, err := models.Build(*modelsDir, models.BuildOptions{Arch: a, Grids: []int{2, 3, 4}, ParityK: []int{2, 4, 9}, Seed: 1,
			Session: models.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}, Log: stderr}); err != nil {
			fmt.Fprintln(stderr, "collagesim testbed:", err)
			return 1
		}
	}
	o, err := testbed.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "collagesim testbed:", err)
		if errors.Is(err, context.Canceled) {
			return 130
		}
		return 1
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name+"-testbed")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "collagesim testbed:", err)
		return 1
	}
	overrides := []string{"replications=" + strconv.Itoa(*reps)}
	if *requests > 0 {
		overrides = append(overrides, "requests="+strconv.FormatInt(*requests, 10))
	}
	f := o.Facts
	overrides = append(overrides,
		fmt.Sprintf("testbed: time-scale=%g", f.TimeScale),
		fmt.Sprintf("testbed: host=%s cpu=%q cpus=%d loadavg=%q workers=%d wall=%s start=%s", f.Host, f.CPU, f.CPUs, f.LoadAvg, f.Workers,
			f.Wall.Round(time.Millisecond), f.Start.UTC().Format(time.RFC3339)))
	for _, pool := range sortedKeys(eps) {
		overrides = append(overrides, "testbed: endpoint "+pool+"="+strings.Join(eps[pool], ","))
	}
	res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim " + version + " testbed", Scenario: sc.Name, Seed: sc.Seed,
		Points: []results.Point{{Index: 0, Strategies: o.Strategies}}, ScenarioText: meta.Text, Profile: sc.Profile.Name, Overrides: overrides}
	paths, err := results.Write(dir, res)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	scText, profText, err := testbed.Calibrated(sc, meta.Text, o.Overheads, f.TimeScale, "testbed-profile.toml")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range []struct {
		name string
		data []byte
	}{{"calibrated.toml", scText}, {"testbed-profile.toml", profText}, {"overheads.txt", []byte(testbed.FormatOverheads(o.Overheads, f.TimeScale))}} {
		p := filepath.Join(dir, w.name)
		if err := results.WriteFileAtomic(p, w.data); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		paths = append(paths, p)
	}
	// The simulator's prediction, each strategy calibrated with its own overheads.
	counted := sc.Requests
	if *requests > 0 {
		counted = *requests
	}
	pred, more, err := testbed.Predict(sc, meta.Text, o, dir, counted, simReps)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	paths = append(paths, more...)
	pres := &results.Results{Version: results.ResultsVersion, Tool: "collagesim " + version, Scenario: sc.Name, Seed: sc.Seed,
		Points: []results.Point{{Index: 0, Strategies: pred}}, ScenarioText: meta.Text, Profile: sc.Profile.Name,
		Overrides: []string{"requests=" + strconv.FormatInt(counted, 10),
			"prediction: each strategy simulated on calibrated-<strategy>.toml (its own measured testbed overheads)"}}
	predDir := filepath.Join(dir, "prediction")
	if err := os.MkdirAll(predDir, 0o755); err != nil {
		fmt.Fprintln(stderr, "collagesim testbed:", err)
		return 1
	}
	more, err = results.Write(predDir, pres)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	paths = append(paths, more...)
	fmt.Fprintf(stdout, "%s on the testbed: %d strategies, %d worker processes, time scale %g, %s\n\n", sc.Name, len(o.Strategies), f.Workers, f.TimeScale, f.Wall.Round(time.Second))
	results.Table(stdout, &res.Points[0])
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, testbed.FormatOverheads(o.Overheads, f.TimeScale))
	if rows, err := testbed.Compare(pres, res); err == nil {
		fmt.Fprintln(stdout, "\nsimulator (each strategy calibrated with its own measured overheads) against the testbed:")
		testbed.WriteTable(stdout, rows, "simulator", "testbed")
	}
	fmt.Fprintf(stdout, "\nwrote %d files to %s/ (the prediction in %s; the whole scenario calibrated with all strategies' overheads: collagesim run %s)\n",
		len(paths), dir, predDir, filepath.Join(dir, "calibrated.toml"))
	return 0
}

// testbedWorkerMain is a worker process of the testbed (not for users): it
// reads its spec on stdin and serves until stdin closes.
func testbedWorkerMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testbed-worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := testbed.RunWorker(ctx, os.Stdin, stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func sortedKeys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
