package testbed

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// MainConfig is what "collagesim testbed" was asked to do.
type MainConfig struct {
	Scenario     *sim.Scenario
	ScenarioText string              // the scenario file as read, for the results
	Tool         string              // "collagesim <version>", for the results
	Dir          string              // output folder
	Requests     int64               // counted requests per strategy (0: the scenario's)
	TimeScale    float64             // 0: chosen by AutoScale
	Replications int                 // replications per strategy on the testbed
	ModelsDir    string              // bundled models (built there when missing)
	ORTLib       string              // ONNX Runtime library ("" to look it up)
	Threads      int                 // intra-op threads per worker
	Drain        time.Duration       // longest wait for answers after the last arrival
	CIFAR        string              // labelled requests from a CIFAR-10 file ("": synthetic)
	Endpoints    map[string][]string // pool -> external KServe v2 servers
	Worker       []string            // the command that starts a worker process
}

// Main runs the testbed for m, writes its results, the measured overheads,
// the calibrated scenario and the simulator's prediction into m.Dir, and
// prints the tables to stdout (progress and warnings to stderr).
func Main(ctx context.Context, m MainConfig, stdout, stderr io.Writer) error {
	sc := m.Scenario
	simReps := sc.Replications
	sc.Replications = m.Replications
	if m.TimeScale == 0 {
		f, why, err := AutoScale(sc)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "time scale %g: %s\n", f, why)
		m.TimeScale = f
	}
	cfg := Config{Scenario: sc, Requests: m.Requests, TimeScale: m.TimeScale, ModelsDir: m.ModelsDir,
		WorkerCommand: m.Worker, Endpoints: m.Endpoints, ORTLib: m.ORTLib, Threads: m.Threads, Drain: m.Drain, Log: stderr}
	if m.ORTLib != "" {
		cfg.WorkerEnv = []string{"ONNXRUNTIME_LIB=" + m.ORTLib}
	}
	if m.CIFAR != "" {
		var err error
		if cfg.Images, err = models.LoadCIFAR10(m.CIFAR, 0); err != nil {
			return err
		}
	}
	if _, err := models.ReadBundle(m.ModelsDir); err != nil {
		// Build the bundle as `collagesim calibrate` does by default.
		fmt.Fprintf(stderr, "testbed: no bundled models in %s: building them (arch small, grids 2,3,4, parity k 2,4,9, seed 1)\n", m.ModelsDir)
		a, _ := models.ParseArch("small")
		if err := models.InitRuntime(m.ORTLib); err != nil {
			return err
		}
		if _, err := models.Build(m.ModelsDir, models.BuildOptions{Arch: a, Grids: []int{2, 3, 4}, ParityK: []int{2, 4, 9}, Seed: 1,
			Session: models.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}, Log: stderr}); err != nil {
			return err
		}
	}
	o, err := Run(ctx, cfg)
	if err != nil {
		return err
	}
	overrides := []string{"replications=" + strconv.Itoa(m.Replications)}
	if m.Requests > 0 {
		overrides = append(overrides, "requests="+strconv.FormatInt(m.Requests, 10))
	}
	f := o.Facts
	overrides = append(overrides,
		fmt.Sprintf("testbed: time-scale=%g", f.TimeScale),
		fmt.Sprintf("testbed: host=%s cpu=%q cpus=%d loadavg=%q workers=%d wall=%s start=%s", f.Host, f.CPU, f.CPUs, f.LoadAvg, f.Workers,
			f.Wall.Round(time.Millisecond), f.Start.UTC().Format(time.RFC3339)))
	for _, pool := range sortedKeys(m.Endpoints) {
		overrides = append(overrides, "testbed: endpoint "+pool+"="+strings.Join(m.Endpoints[pool], ","))
	}
	res := &results.Results{Version: results.ResultsVersion, Tool: m.Tool + " testbed", Scenario: sc.Name, Seed: sc.Seed,
		Points: []results.Point{{Index: 0, Strategies: o.Strategies}}, ScenarioText: m.ScenarioText, Profile: sc.Profile.Name, Overrides: overrides}
	paths, err := results.Write(m.Dir, res)
	if err != nil {
		return err
	}
	names := make([]string, len(sc.Strategies))
	for i := range sc.Strategies {
		names[i] = sc.Strategies[i].Name
	}
	scText, profText, err := Calibrated(sc, m.ScenarioText, o.Overheads, f.TimeScale, "testbed-profile.toml")
	if err != nil {
		return err
	}
	for _, w := range []struct {
		name string
		data []byte
	}{{"calibrated.toml", scText}, {"testbed-profile.toml", profText}, {"overheads.txt", []byte(FormatOverheads(o.Overheads, f.TimeScale) + "\n" + FormatSplit(names, o.ByStrategy, f.TimeScale))}} {
		p := filepath.Join(m.Dir, w.name)
		if err := results.WriteFileAtomic(p, w.data); err != nil {
			return err
		}
		paths = append(paths, p)
	}
	// The simulator's prediction, each strategy calibrated with its own overheads.
	counted := sc.Requests
	if m.Requests > 0 {
		counted = m.Requests
	}
	pred, more, err := Predict(sc, m.ScenarioText, o, m.Dir, counted, simReps)
	if err != nil {
		return err
	}
	paths = append(paths, more...)
	pres := &results.Results{Version: results.ResultsVersion, Tool: m.Tool, Scenario: sc.Name, Seed: sc.Seed,
		Points: []results.Point{{Index: 0, Strategies: pred}}, ScenarioText: m.ScenarioText, Profile: sc.Profile.Name,
		Overrides: []string{"requests=" + strconv.FormatInt(counted, 10),
			"prediction: each strategy simulated on calibrated-<strategy>.toml (its own measured testbed overheads)"}}
	predDir := filepath.Join(m.Dir, "prediction")
	if err := os.MkdirAll(predDir, 0o755); err != nil {
		return err
	}
	more, err = results.Write(predDir, pres)
	if err != nil {
		return err
	}
	paths = append(paths, more...)
	fmt.Fprintf(stdout, "%s on the testbed: %d strategies, %d worker processes, time scale %g, %s\n\n", sc.Name, len(o.Strategies), f.Workers, f.TimeScale, f.Wall.Round(time.Second))
	results.Table(stdout, &res.Points[0], "")
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, FormatOverheads(o.Overheads, f.TimeScale))
	if rows, err := Compare(pres, res); err == nil {
		fmt.Fprintln(stdout, "\nsimulator (each strategy calibrated with its own measured overheads) against the testbed:")
		WriteTable(stdout, rows, "simulator", "testbed")
	}
	fmt.Fprintf(stdout, "\nwrote %d files to %s/ (the prediction in %s; the whole scenario calibrated with all strategies' overheads: collagesim run %s)\n",
		len(paths), m.Dir, predDir, filepath.Join(m.Dir, "calibrated.toml"))
	return nil
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
