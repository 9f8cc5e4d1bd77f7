package calibrate

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// Options say how models are measured.
type Options struct {
	Library string                // ONNX Runtime library; "" looks it up (models.FindLibrary)
	Session models.SessionOptions // provider and threads
	Warmup  int                   // untimed runs before timing (default 50)
	Runs    int                   // timed runs per model and batch size (default 1000)
	Batches []int                 // batch sizes to record as BatchLatency (none: batch 1 only)
	Points  int                   // quantile table points (default 1001)
	// Rounds splits each model's Runs (and each batch size's) into rounds
	// in which all the models take turns (default 20; see timeRounds), so
	// a change in the machine's speed while it calibrates falls on every
	// model alike and shows in each one's medians over the calibration's
	// periods.
	Rounds int
	// MinConfidence is the coverage threshold: a collage cell counts as
	// covered (answered) when its top softmax probability is at least this.
	// 0 (the default) covers every cell, so coverage is 1.
	MinConfidence float64
	TestImages    int    // held-out images for S-CNN top-1 (default 1000)
	TestCells     int    // held-out collage cells per grid, and reconstructions per parity model (default 2000)
	TestSeed      uint64 // seed of the held-out synthetic set (default: build seed + 1)
	ProfileName   string // default "local-cpu"
	Command       string // command line, for the profile's metadata
	Log           io.Writer
	Now           func() time.Time // for the profile's date (default time.Now)
	// MaxOthers is the share of the machine's CPU time other processes may
	// use while a model is timed (default 0.10). Above it the timing is
	// retried, up to Repeat tries (default 3), and, if every try was
	// contaminated, the model is refused unless AllowNoisy.
	MaxOthers  float64
	Repeat     int
	AllowNoisy bool
	// TestData, if not nil, is the bundle's held-out set (its first
	// TestImages, resized to the models' side) instead of synthetic images:
	// a real set the bundle was trained on the training split of
	// (BuildOptions.Data).
	TestData models.Source
}

func (o Options) withDefaults() Options {
	if o.Warmup == 0 {
		o.Warmup = 50
	}
	if o.Runs == 0 {
		o.Runs = 1000
	}
	if o.Points == 0 {
		o.Points = 1001
	}
	if o.TestImages == 0 {
		o.TestImages = 1000
	}
	if o.TestCells == 0 {
		o.TestCells = 2000
	}
	if o.ProfileName == "" {
		o.ProfileName = "local-cpu"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Session.Provider == "" {
		o.Session.Provider = models.ProviderCPU
	}
	if o.MaxOthers == 0 {
		o.MaxOthers = 0.10
	}
	if o.Repeat == 0 {
		o.Repeat = 3
	}
	if o.Rounds == 0 {
		o.Rounds = 20
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.Warmup < 0 || o.Runs < 2:
		return usagef("need warm-up >= 0 and runs >= 2 (got %d and %d)", o.Warmup, o.Runs)
	case o.Points < 2:
		return usagef("quantile table needs >= 2 points, got %d", o.Points)
	case o.MinConfidence < 0 || o.MinConfidence > 1:
		return usagef("min confidence %g is outside [0, 1]", o.MinConfidence)
	case !(o.MaxOthers > 0 && o.MaxOthers <= 1):
		return usagef("the others' CPU share limit %g is outside (0, 1]", o.MaxOthers)
	case o.Repeat < 1:
		return usagef("repeat %d: need at least 1 try", o.Repeat)
	case o.Rounds < 1:
		return usagef("rounds %d: need at least 1", o.Rounds)
	case o.Session.Provider != "" && o.Session.Provider != models.ProviderCPU && o.Session.Provider != models.ProviderCUDA && o.Session.Provider != models.ProviderTensorRT:
		return usagef("--provider %q: want cpu, cuda or tensorrt", o.Session.Provider)
	case o.Session.IntraOpThreads < 0 || o.Session.InterOpThreads < 0:
		return usagef("threads %d and inter-op threads %d: want 0 (ONNX Runtime's default) or more", o.Session.IntraOpThreads, o.Session.InterOpThreads)
	case o.TestImages < 0 || o.TestCells < 0:
		return usagef("held-out images %d and cells %d: want positive counts", o.TestImages, o.TestCells)
	}
	for _, b := range o.Batches {
		if b < 1 {
			return usagef("batch size %d must be >= 1", b)
		}
	}
	return nil
}

// Report is what was measured for one model, beyond what the profile keeps.
type Report struct {
	Name     string
	Latency  Stats   // batch 1 Session.Run, as timed from Go
	Fill     Stats   // copying one prepared input into the input tensor (Go side)
	Overhead Stats   // Session.Run of an Identity model on the same input: cgo and runtime call cost
	Encode   *Stats  // collage: building one collage from g*g images; parity: one parity input from k images
	Decode   *Stats  // parity: reconstructing one missing output from the parity output and k-1 others
	Batches  []Stats // per Options.Batches
	Accuracy float64 // NaN when not measured
	Coverage float64
	Tested   int // images (S-CNN), cells (Collage-CNN) or reconstructions (parity) the accuracy is over
	Correct  int // of Tested (of the covered ones when MinConfidence > 0)
	// Others is the share of the machine's CPU time other processes used
	// while the batch-1 runs were timed (NaN if unknown): competition that
	// shows in the tail. OnCPU is this process's CPU time over the wall
	// time of those runs; Tries how many timings it took (Options.Repeat).
	Others, OnCPU float64
	Tries         int
	// Rounds are the batch-1 timing's medians over consecutive periods of
	// its rounds (steadyPeriods), ns, in time order: how steady the
	// machine was.
	Rounds []float64
	// Placement is which execution provider ran how many nodes of each
	// operator (nil if unknown).
	Placement models.Placement
	Input     string   // what the model was fed, in words
	Notes     []string // what was inferred or detected
	// Warnings say what looks wrong (near-chance accuracy, a normalisation
	// or cell order that scores far better, contaminated timing); they are
	// also in the model's source in the profile.
	Warnings []string

	outputs [][]float32 // an S-CNN's output rows on the held-out set, when kept
}

func newMeta(o Options) sim.ProfileMeta {
	m := sim.ProfileMeta{
		Hardware:       Hardware(),
		CPU:            CPUModel(),
		Runtime:        "onnxruntime",
		RuntimeVersion: models.RuntimeVersion(),
		Provider:       o.Session.Provider,
		Threads:        o.Session.Threads(),
		Date:           o.Now().UTC().Format(time.RFC3339),
		Command:        o.Command,
	}
	if o.Session.Provider != models.ProviderCPU {
		m.GPU = GPUModel()
	}
	return m
}

// Bundle calibrates the bundled models in dir, building them first (see
// models.Build) when dir has none or they were built with other options.
func Bundle(dir string, build models.BuildOptions, o Options) (*sim.Profile, []Report, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	if err := models.InitRuntime(o.Library); err != nil {
		return nil, nil, err
	}
	if build.Log == nil {
		build.Log = o.Log
	}
	if build.Session == (models.SessionOptions{}) {
		build.Session = models.SessionOptions{Provider: o.Session.Provider}
	}
	bundle, err := models.ReadBundle(dir)
	if err != nil || !bundle.Matches(build) || !bundleComplete(dir, bundle) {
		fmt.Fprintf(o.Log, "calibrate: building the bundled models (arch %s) into %s\n", build.Arch.Name, dir)
		if bundle, err = models.Build(dir, build); err != nil {
			return nil, nil, err
		}
	}
	testSeed := o.TestSeed
	if testSeed == 0 {
		testSeed = bundle.Seed + 1
	}
	if testSeed == bundle.Seed {
		return nil, nil, fmt.Errorf("calibrate: the held-out seed %d is the training seed", testSeed)
	}
	o.TestSeed = testSeed
	p := &sim.Profile{Name: o.ProfileName, Meta: newMeta(o)}
	var test *models.Dataset
	var single [][]float32 // the S-CNN's logits on test, for parity models
	var ss []*models.Session
	defer func() {
		for _, s := range ss {
			s.Close()
		}
	}()
	var specs []Spec
	var sides []int
	for _, bm := range bundle.Models {
		path := filepath.Join(dir, bm.File)
		s, err := models.OpenFile(path, o.Session)
		if err != nil {
			return nil, nil, err
		}
		ss = append(ss, s)
		side, _ := strconv.Atoi(s.Meta[models.MetaSingleSide])
		if side <= 0 {
			return nil, nil, fmt.Errorf("calibrate: %s lacks %s metadata; was it built by collagesim?", path, models.MetaSingleSide)
		}
		if test == nil && !bundle.Untrained && o.TestData != nil {
			if test, err = models.Materialise(o.TestData, o.TestImages, side); err != nil {
				return nil, nil, err
			}
			test.Name = fmt.Sprintf("%d held-out images of %s", test.Len(), o.TestData.Describe().Name)
		}
		if test == nil && !bundle.Untrained {
			test = models.Synthetic(testSeed, o.TestImages, side)
			test.Name = fmt.Sprintf("%d held-out synthetic images (seed %d)", test.Len(), testSeed)
		}
		spec := Spec{Name: bm.Name, Role: bm.Role, Grid: bm.Grid, SourceSide: side, Train: s.Meta[models.MetaTrain], Resize: true}
		if test != nil {
			spec.Data = test
		}
		specs, sides = append(specs, spec), append(sides, side)
	}
	// A parity model decodes with the S-CNN's outputs on the held-out set.
	hooks := &sessionHooks{before: func(i int, spec *Spec) error {
		if spec.Role != sim.RoleParity || test == nil {
			return nil
		}
		if single == nil {
			var err error
			if single, err = singleOutputs(filepath.Join(dir, models.SingleName+".onnx"), test, sides[i], o); err != nil {
				return err
			}
		}
		spec.Single = single
		return nil
	}}
	ms, reports, err := calibrateSessions(ss, specs, o, hooks)
	if err != nil {
		return nil, nil, err
	}
	p.Models = ms
	acc := "accuracy not measured: untrained heads, for timing only"
	if test != nil {
		acc = "accuracy on " + test.Name
	}
	p.Source = fmt.Sprintf("measured by collagesim calibrate on %s, %s: bundled models (arch %s, seed %d) through ONNX Runtime %s, provider %s, %s; "+
		"latency is Session.Run timed from Go, %s; %s",
		p.Meta.Hardware, p.Meta.Date, bundle.Arch, bundle.Seed, p.Meta.RuntimeVersion, p.Meta.Provider, p.Meta.Threads,
		o.timingWords(), acc)
	return p, reports, nil
}

// singleOutputs runs the bundled S-CNN on the held-out set and returns its
// outputs, logits: the space the bundled parity models decode in
// (models.ParityTarget).
func singleOutputs(path string, data *models.Dataset, side int, o Options) ([][]float32, error) {
	s, err := models.OpenFile(path, o.Session)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out, err := models.ImageOutputs(s, data.Images, side, 32)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return out, nil
}

func bundleComplete(dir string, b *models.Bundle) bool {
	for _, m := range b.Models {
		if _, err := os.Stat(filepath.Join(dir, m.File)); err != nil {
			return false
		}
	}
	return len(b.Models) > 0
}

// timeDecode times reconstruction: the parity output minus k-1 outputs of as
// many classes as the model's output has. One call takes tens of
// nanoseconds, near the clock's own cost, so each sample is the mean over a
// block of decodeBlock calls.
func timeDecode(k, classes int, o Options) []float64 {
	r := rand.New(rand.NewPCG(3, uint64(k)))
	vec := func() []float32 {
		v := make([]float32, classes)
		for i := range v {
			v[i] = r.Float32()
		}
		return v
	}
	parity, dst := vec(), make([]float32, classes)
	others := make([][]float32, k-1)
	for i := range others {
		others[i] = vec()
	}
	samples, _ := timeRuns(o.Warmup, o.Runs, func() error {
		for range decodeBlock {
			models.Reconstruct(dst, parity, others)
		}
		return nil
	})
	for i := range samples {
		samples[i] /= decodeBlock
	}
	return samples
}

const decodeBlock = 100

// callOverhead times Session.Run of an Identity model on an input of the same
// shape: what a run costs beyond the network itself (cgo call, runtime
// dispatch, output allocation and copy).
func callOverhead(shape []int64, o Options) ([]float64, error) {
	g := models.NewGraph("identity")
	x := g.Input(models.InputName, models.Dim{Param: "N"}, models.Dim{Value: shape[1]}, models.Dim{Value: shape[2]}, models.Dim{Value: shape[3]})
	g.NodeTo("y", "Identity", []string{x})
	g.Output("y", models.Dim{Param: "N"}, models.Dim{Value: shape[1]}, models.Dim{Value: shape[2]}, models.Dim{Value: shape[3]})
	s, err := models.Open("identity", g.Marshal(models.ModelInfo{Producer: "collagesim"}), o.Session)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	b, err := s.Bind(shape)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return timeRuns(o.Warmup, o.Runs, b.Run)
}

// ErrNoLibrary reports that ONNX Runtime could not be found.
var ErrNoLibrary = models.ErrNoLibrary
