package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/calibrate"
	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

const calibrateUsage = `Usage:
  collagesim calibrate [flags] --out PROFILE.toml
      build the bundled S-CNN, Collage-CNN and parity models (into --models,
      if not there yet) and measure them
  collagesim calibrate --onnx MODEL.onnx [--onnx ...] [flags] --out PROFILE.toml
      measure your own ONNX classifiers (input [N,3,S,S], output [N,classes],
      or [N,g*g,classes] for a collage model with --role collage --grid g;
      --role parity --grid k times a parity model, without accuracy)

ONNX Runtime is looked up from --ort-lib, then $ONNXRUNTIME_LIB, then the
cache "make ort" fills (.cache/onnxruntime).

Flags:
`

// calibrateMain runs "collagesim calibrate"; it returns the exit code.
func calibrateMain(args []string) int {
	stdout, stderr := os.Stdout, os.Stderr
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, calibrateUsage)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "profile file to write (TOML); required")
	jsonOut := fs.String("json", "", "also write the profile as JSON to this file")
	name := fs.String("name", "local-cpu", "profile name")
	dir := fs.String("models", ".cache/models", "folder of the bundled models (built there when missing or built with other options)")
	arch := fs.String("arch", "small", "bundled models' architecture: "+strings.Join(models.PresetNames(), ", ")+", optionally with overrides (small,side=64,widths=32/64/128)")
	grids := fs.String("grids", "2,3,4", "Collage-CNN grids of the bundle")
	parityK := fs.String("parity-k", "2,4,9", fmt.Sprintf("group sizes k of the bundle's parity models (ParM), \"\" for none; k = %d is named %q, the others parity-k<k>", models.DefaultParityK, models.ParityBaseName))
	seed := fs.Uint64("seed", 1, "seed of the bundled models' weights and training images")
	train := fs.Int("train", 3000, "training images for the bundled models' heads")
	timingOnly := fs.Bool("timing-only", false, "build the bundle with untrained (zero) heads and measure latency only: for large architectures (resnet34) whose training would take hours on a few cores")
	var onnxFiles calStrings
	fs.Var(&onnxFiles, "onnx", "calibrate this ONNX model instead of the bundle (repeatable)")
	modelName := fs.String("model-name", "", "profile name of the --onnx model (default: file name; with several files, comma-separated)")
	role := fs.String("role", "", "role of the --onnx model: single, collage or parity (default: its metadata, else single)")
	grid := fs.Int("grid", 0, "grid g of a --onnx collage model, or k of a parity model")
	inputShape := fs.String("input-shape", "", "input shape of the --onnx model, e.g. 1,3,224,224 (default: from the model)")
	cifar := fs.String("cifar", "", "held-out set for --onnx accuracy: CIFAR-10 binary batch file or folder")
	images := fs.String("images", "", "held-out set for --onnx accuracy: folder of <class>/<image>.png|jpg")
	limit := fs.Int("limit", 0, "use at most this many held-out images (per class for --images); 0: all")
	mean := fs.String("mean", "", "per-channel input mean for --onnx, e.g. 0.485,0.456,0.406")
	std := fs.String("std", "", "per-channel input std for --onnx, e.g. 0.229,0.224,0.225")
	sourceSide := fs.Int("source-side", 0, "side of the images a --onnx collage is built from (encoding time); default the cell side")
	lib := fs.String("ort-lib", "", "ONNX Runtime shared library (libonnxruntime.so.1)")
	provider := fs.String("provider", "cpu", "execution provider: cpu, cuda, tensorrt")
	threads := fs.Int("threads", 1, "intra-op threads per session (0: ONNX Runtime's default, one per core)")
	interThreads := fs.Int("inter-threads", 1, "inter-op threads per session (0: ONNX Runtime's default)")
	warmup := fs.Int("warmup", 100, "untimed runs before timing")
	runs := fs.Int("runs", 2000, "timed runs per model (and per batch size)")
	batches := fs.String("batch", "", "also record latency at these batch sizes, e.g. 1,4,8")
	points := fs.Int("quantiles", 1001, "points of each latency quantile table")
	minConf := fs.Float64("min-confidence", 0, "coverage: a collage cell counts as answered when its top softmax probability is at least this (0: every cell)")
	testN := fs.Int("test", 1000, "held-out synthetic images for the bundle's accuracy")
	testCells := fs.Int("test-cells", 2000, "held-out collage cells per grid, and reconstructions per parity model")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "collagesim calibrate:", err)
		return code
	}
	if fs.NArg() > 0 {
		return fail(2, fmt.Errorf("unexpected arguments %q (flags only)", fs.Args()))
	}
	if *out == "" {
		fs.Usage()
		return fail(2, errors.New("--out is required"))
	}
	batchList, err := calInts(*batches)
	if err != nil {
		return fail(2, fmt.Errorf("--batch: %w", err))
	}
	o := calibrate.Options{
		Library: *lib,
		Session: models.SessionOptions{Provider: *provider, IntraOpThreads: *threads, InterOpThreads: *interThreads},
		Warmup:  *warmup, Runs: *runs, Batches: batchList, Points: *points,
		MinConfidence: *minConf, TestImages: *testN, TestCells: *testCells,
		ProfileName: *name,
		Command:     "collagesim calibrate " + strings.Join(args, " "),
		Log:         stderr,
	}
	if *quiet {
		o.Log = nil
	}

	var p *sim.Profile
	var reports []calibrate.Report
	if len(onnxFiles) == 0 {
		a, err := models.ParseArch(*arch)
		if err != nil {
			return fail(2, err)
		}
		g, err := calInts(*grids)
		if err != nil {
			return fail(2, fmt.Errorf("--grids: %w", err))
		}
		pk, err := calInts(*parityK)
		if err != nil {
			return fail(2, fmt.Errorf("--parity-k: %w", err))
		}
		build := models.BuildOptions{Arch: a, Grids: g, ParityK: pk, Seed: *seed, TrainImages: *train, Untrained: *timingOnly}
		if p, reports, err = calibrate.Bundle(*dir, build, o); err != nil {
			return fail(1, err)
		}
	} else {
		spec := calibrate.Spec{Role: *role, Grid: *grid, SourceSide: *sourceSide}
		if spec.InputShape, err = calInt64s(*inputShape); err != nil {
			return fail(2, fmt.Errorf("--input-shape: %w", err))
		}
		if spec.Mean, err = calFloats(*mean); err != nil {
			return fail(2, fmt.Errorf("--mean: %w", err))
		}
		if spec.Std, err = calFloats(*std); err != nil {
			return fail(2, fmt.Errorf("--std: %w", err))
		}
		switch {
		case *cifar != "" && *images != "":
			return fail(2, errors.New("give --cifar or --images, not both"))
		case *cifar != "":
			if spec.Data, err = models.LoadCIFAR10(*cifar, *limit); err != nil {
				return fail(1, err)
			}
		case *images != "":
			if spec.Data, err = models.LoadFolder(*images, 0, *limit); err != nil {
				return fail(1, err)
			}
		}
		names := strings.Split(*modelName, ",")
		var ms []sim.Model
		for i, f := range onnxFiles {
			spec.Name = ""
			if i < len(names) {
				spec.Name = names[i]
			}
			m, r, err := calibrate.Model(f, spec, o)
			if err != nil {
				return fail(1, err)
			}
			ms = append(ms, m)
			reports = append(reports, r)
		}
		p = calibrate.Profile(ms, o)
	}

	var buf bytes.Buffer
	if err := scenarios.WriteProfile(&buf, p); err != nil {
		return fail(1, err)
	}
	if err := calWriteFile(*out, buf.Bytes()); err != nil {
		return fail(1, err)
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(calJSONProfile(p), "", "  ")
		if err != nil {
			return fail(1, err)
		}
		if err := calWriteFile(*jsonOut, append(data, '\n')); err != nil {
			return fail(1, err)
		}
	}
	calPrintReports(stdout, reports)
	fmt.Fprint(stdout, calibrateLegend)
	fmt.Fprintf(stdout, "profile %q written to %s\n", p.Name, *out)
	return 0
}

// calJSONProfile replaces NaN (not measured), which JSON cannot hold, by -1.
func calJSONProfile(p *sim.Profile) *sim.Profile {
	c := *p
	c.Models = append([]sim.Model(nil), p.Models...)
	for i := range c.Models {
		if c.Models[i].Accuracy != c.Models[i].Accuracy {
			c.Models[i].Accuracy = -1
		}
		if c.Models[i].Coverage != c.Models[i].Coverage {
			c.Models[i].Coverage = -1
		}
	}
	return &c
}

func calPrintReports(w *os.File, reports []calibrate.Report) {
	fmt.Fprintf(w, "%-12s %10s %10s %10s %7s %9s %9s %12s %12s %12s %12s %7s\n",
		"model", "p50_ms", "p99_ms", "mean_ms", "cv", "accuracy", "coverage", "encode_p50", "decode_p50", "fill_p50", "call_p50", "others")
	f := func(v float64) string {
		if v != v {
			return "n/a"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	for _, r := range reports {
		enc := "-"
		if r.Encode != nil {
			enc = fmt.Sprintf("%.4f ms", r.Encode.P50/1e6)
		}
		dec := "-"
		if r.Decode != nil {
			dec = fmt.Sprintf("%.6f ms", r.Decode.P50/1e6)
		}
		fmt.Fprintf(w, "%-12s %10.4f %10.4f %10.4f %7.3f %9s %9s %12s %12s %9.4f ms %9.4f ms %6.0f%%\n",
			r.Name, r.Latency.P50/1e6, r.Latency.P99/1e6, r.Latency.Mean/1e6, r.Latency.CV,
			f(r.Accuracy), f(r.Coverage), enc, dec, r.Fill.P50/1e6, r.Overhead.P50/1e6, 100*r.Others)
	}
}

type calStrings []string

func (s *calStrings) String() string     { return strings.Join(*s, ",") }
func (s *calStrings) Set(v string) error { *s = append(*s, v); return nil }

func calInts(s string) ([]int, error) {
	var out []int
	for _, f := range calSplit(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func calInt64s(s string) ([]int64, error) {
	var out []int64
	for _, f := range calSplit(s) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func calFloats(s string) ([]float32, error) {
	var out []float32
	for _, f := range calSplit(s) {
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, float32(v))
	}
	return out, nil
}

func calSplit(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func calWriteFile(path string, data []byte) error {
	return atomicfile.WriteFile(path, data)
}

const calibrateLegend = `p50/p99/mean/cv: batch-1 Session.Run as timed from Go; encode: building one
collage or parity input; decode: reconstructing one output from the parity
output; accuracy: top-1 (S-CNN), per-cell top-1 (collage), top-1 of the
reconstructed outputs (parity, degraded mode); fill: copying a prepared input
into the input tensor; call: Session.Run of an Identity model on the same input
(cgo and runtime cost); others: share of the machine's CPU time other processes
used while timing.
`
