package calibrate

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	return o
}

func (o Options) validate() error {
	switch {
	case o.Warmup < 0 || o.Runs < 2:
		return fmt.Errorf("calibrate: need warm-up >= 0 and runs >= 2 (got %d and %d)", o.Warmup, o.Runs)
	case o.Points < 2:
		return fmt.Errorf("calibrate: quantile table needs >= 2 points, got %d", o.Points)
	case o.MinConfidence < 0 || o.MinConfidence > 1:
		return fmt.Errorf("calibrate: min confidence %g is outside [0, 1]", o.MinConfidence)
	}
	for _, b := range o.Batches {
		if b < 1 {
			return fmt.Errorf("calibrate: batch size %d must be >= 1", b)
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
	// Others is the share of the machine's CPU time other processes used
	// while the batch-1 runs were timed (NaN if unknown): competition that
	// shows in the tail.
	Others float64
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
	var reports []Report
	var test *models.Dataset
	var single [][]float32 // the S-CNN's logits on test, for parity models
	for _, bm := range bundle.Models {
		path := filepath.Join(dir, bm.File)
		s, err := models.OpenFile(path, o.Session)
		if err != nil {
			return nil, nil, err
		}
		side, _ := strconv.Atoi(s.Meta[models.MetaSingleSide])
		if side <= 0 {
			s.Close()
			return nil, nil, fmt.Errorf("calibrate: %s lacks %s metadata; was it built by collagesim?", path, models.MetaSingleSide)
		}
		if test == nil && !bundle.Untrained {
			test = models.Synthetic(testSeed, o.TestImages, side)
			test.Name = fmt.Sprintf("%d held-out synthetic images (seed %d)", test.Len(), testSeed)
		}
		spec := Spec{Name: bm.Name, Role: bm.Role, Grid: bm.Grid, Data: test, SourceSide: side, Train: s.Meta[models.MetaTrain]}
		if bm.Role == sim.RoleParity && test != nil {
			if single == nil {
				if single, err = singleOutputs(filepath.Join(dir, models.SingleName+".onnx"), test, side, o); err != nil {
					s.Close()
					return nil, nil, err
				}
			}
			spec.Single = single
		}
		m, r, err := calibrateSession(s, spec, o)
		s.Close()
		if err != nil {
			return nil, nil, err
		}
		p.Models = append(p.Models, m)
		reports = append(reports, r)
	}
	acc := "accuracy not measured: untrained heads, for timing only"
	if test != nil {
		acc = "accuracy on " + test.Name
	}
	p.Source = fmt.Sprintf("measured by collagesim calibrate on %s, %s: bundled models (arch %s, seed %d) through ONNX Runtime %s, provider %s, %s; "+
		"latency is Session.Run timed from Go, %d runs after %d warm-up per model; %s",
		p.Meta.Hardware, p.Meta.Date, bundle.Arch, bundle.Seed, p.Meta.RuntimeVersion, p.Meta.Provider, p.Meta.Threads,
		o.Runs, o.Warmup, acc)
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

// Spec describes a model to calibrate.
type Spec struct {
	Name string
	Role string // sim.RoleSingle (default), sim.RoleCollage or sim.RoleParity
	Grid int    // collage: g; parity: k, the images per parity group
	// InputShape overrides the model's input shape (batch dimension
	// included, e.g. 1,3,224,224); zeros keep the model's own dimensions.
	InputShape []int64
	// Data, if not nil, is the labelled held-out set accuracy is measured
	// on; labels index the model's output classes.
	Data *models.Dataset
	// Mean and Std, if set, normalise input pixels per channel (x-mean)/std,
	// as many ImageNet models expect.
	Mean, Std []float32
	// SourceSide is the side of the images a collage is built from (for the
	// encoding time); default the cell side.
	SourceSide int
	Train      string // how the model was trained, for the profile's source
	// Single, for a parity model, holds the S-CNN's outputs on Data in the
	// space the parity model was trained in (logits for the bundled models);
	// without it degraded-mode accuracy is not measured.
	Single [][]float32
}

// Model calibrates one ONNX classifier file (any user's model with one image
// input [N, 3, H, W] and class scores [N, classes] out, or a Collage-CNN with
// [N, g*g, classes] out).
func Model(path string, spec Spec, o Options) (sim.Model, Report, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return sim.Model{}, Report{}, err
	}
	if err := models.InitRuntime(o.Library); err != nil {
		return sim.Model{}, Report{}, err
	}
	s, err := models.OpenFile(path, o.Session)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	defer s.Close()
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if spec.Role == "" {
		spec.Role = s.Meta[models.MetaRole]
	}
	if spec.Grid == 0 {
		spec.Grid, _ = strconv.Atoi(s.Meta[models.MetaGrid])
		if spec.Role == sim.RoleParity {
			spec.Grid, _ = strconv.Atoi(s.Meta[models.MetaParityK])
		}
	}
	if spec.SourceSide == 0 {
		spec.SourceSide, _ = strconv.Atoi(s.Meta[models.MetaSingleSide])
	}
	if spec.Train == "" {
		spec.Train = s.Meta[models.MetaTrain]
	}
	return calibrateSession(s, spec, o)
}

// Profile wraps models calibrated one by one (Model) into a profile.
func Profile(ms []sim.Model, o Options) *sim.Profile {
	o = o.withDefaults()
	p := &sim.Profile{Name: o.ProfileName, Meta: newMeta(o), Models: ms}
	p.Source = fmt.Sprintf("measured by collagesim calibrate on %s, %s: ONNX Runtime %s, provider %s, %s; latency is Session.Run timed from Go, %d runs after %d warm-up per model",
		p.Meta.Hardware, p.Meta.Date, p.Meta.RuntimeVersion, p.Meta.Provider, p.Meta.Threads, o.Runs, o.Warmup)
	return p
}

func calibrateSession(s *models.Session, spec Spec, o Options) (sim.Model, Report, error) {
	if spec.Role == "" {
		spec.Role = sim.RoleSingle
	}
	if spec.Role != sim.RoleSingle && spec.Role != sim.RoleCollage && spec.Role != sim.RoleParity {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: role %q: want %s, %s or %s", spec.Name, spec.Role, sim.RoleSingle, sim.RoleCollage, sim.RoleParity)
	}
	if spec.Role == sim.RoleCollage && spec.Grid < 2 {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: a collage model needs a grid >= 2", spec.Name)
	}
	if spec.Role == sim.RoleParity && spec.Grid < 2 {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: a parity model needs k >= 2 (the grid)", spec.Name)
	}
	shape, err := s.InputShape(1, spec.InputShape)
	if err != nil {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %w", err)
	}
	if len(shape) != 4 || shape[1] != 3 || shape[2] != shape[3] {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: input shape %v: want a square RGB image [N, 3, S, S]", spec.Name, shape)
	}
	side := int(shape[2])
	if spec.Role == sim.RoleCollage && side%spec.Grid != 0 {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: input side %d is not a multiple of grid %d", spec.Name, side, spec.Grid)
	}
	fmt.Fprintf(o.Log, "calibrate: %s (%s", spec.Name, spec.Role)
	switch spec.Role {
	case sim.RoleCollage:
		fmt.Fprintf(o.Log, " %dx%d", spec.Grid, spec.Grid)
	case sim.RoleParity:
		fmt.Fprintf(o.Log, " k=%d", spec.Grid)
	}
	fmt.Fprintf(o.Log, ", input %v)\n", shape)

	m := sim.Model{Name: spec.Name, Role: spec.Role, Accuracy: math.NaN(), Coverage: math.NaN()}
	if spec.Role == sim.RoleCollage || spec.Role == sim.RoleParity {
		m.Grid = spec.Grid
	}
	for _, d := range shape {
		m.InputShape = append(m.InputShape, int(d))
	}
	rep := Report{Name: spec.Name, Accuracy: math.NaN(), Coverage: math.NaN()}

	// An example input: a real image (or collage) where there is data, so
	// the timing runs on the same kind of input the model serves.
	example := make([]float32, 3*side*side)
	data := spec.Data
	if data != nil && (spec.Mean != nil || spec.Std != nil) {
		data = normalised(data, spec.Mean, spec.Std)
	}
	if data != nil && data.Len() > 0 {
		switch spec.Role {
		case sim.RoleCollage:
			c := &models.Collager{Grid: spec.Grid, Cell: side / spec.Grid}
			c.Encode(example, data.Images[:min(data.Len(), spec.Grid*spec.Grid)])
		case sim.RoleParity:
			e := &models.ParityEncoder{K: spec.Grid, Side: side}
			e.Encode(example, data.Images[:min(data.Len(), spec.Grid)])
		default:
			models.ResizeInto(example, side, side, 0, 0, side, side, data.Images[0], nil)
		}
	} else {
		r := rand.New(rand.NewPCG(1, 1))
		for i := range example {
			example[i] = r.Float32()
		}
	}

	// Latency at batch 1.
	b, err := s.Bind(shape)
	if err != nil {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %w", err)
	}
	copy(b.Input(), example)
	before := snapCPU()
	samples, err := timeRuns(o.Warmup, o.Runs, b.Run)
	rep.Others = othersShare(before, snapCPU())
	if err != nil {
		b.Close()
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: %w", spec.Name, err)
	}
	in := b.Input()
	fill, _ := timeRuns(10, o.Runs, func() error { copy(in, example); return nil })
	b.Close()
	m.Latency = QuantileTable(samples, o.Points)
	rep.Latency = Summarise(samples)
	rep.Fill = Summarise(fill)
	if ov, err := callOverhead(shape, o); err == nil {
		rep.Overhead = Summarise(ov)
	} else {
		fmt.Fprintf(o.Log, "calibrate: %s: measuring call overhead: %v\n", spec.Name, err)
	}
	fmt.Fprintf(o.Log, "calibrate: %s: latency p50 %s p99 %s CV %.3f over %d runs; other processes' CPU share %.0f%%\n",
		spec.Name, ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV, rep.Latency.N, 100*rep.Others)

	// Latency at other batch sizes.
	for _, batch := range o.Batches {
		bs := append([]int64(nil), shape...)
		bs[0] = int64(batch)
		bb, err := s.Bind(bs)
		if err != nil {
			return sim.Model{}, Report{}, fmt.Errorf("calibrate: %w", err)
		}
		bin := bb.Input()
		for i := range batch {
			copy(bin[i*len(example):], example)
		}
		samples, err := timeRuns(o.Warmup, o.Runs, bb.Run)
		bb.Close()
		if err != nil {
			return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s batch %d: %w", spec.Name, batch, err)
		}
		m.BatchLatency = append(m.BatchLatency, sim.BatchLatency{Batch: batch, Latency: QuantileTable(samples, o.Points)})
		st := Summarise(samples)
		rep.Batches = append(rep.Batches, st)
		fmt.Fprintf(o.Log, "calibrate: %s: batch %d p50 %s p99 %s\n", spec.Name, batch, ms(st.P50), ms(st.P99))
	}

	// Encoding time: g*g source images resized into one collage, or k
	// source images averaged into one parity input.
	if spec.Role == sim.RoleCollage || spec.Role == sim.RoleParity {
		src := spec.SourceSide
		n := spec.Grid * spec.Grid
		var encode func(dst []float32, imgs []models.Image)
		what := "collage"
		if spec.Role == sim.RoleParity {
			n = spec.Grid
			encode = (&models.ParityEncoder{K: spec.Grid, Side: side}).Encode
			what = "parity input"
			if src <= 0 {
				src = side
			}
		} else {
			encode = (&models.Collager{Grid: spec.Grid, Cell: side / spec.Grid}).Encode
		}
		if src <= 0 {
			src = side / spec.Grid
		}
		imgs := make([]models.Image, n)
		for i := range imgs {
			if data != nil && i < data.Len() && data.Images[i].W == src && data.Images[i].H == src {
				imgs[i] = data.Images[i]
			} else {
				imgs[i] = models.NewImage(src, src)
				r := rand.New(rand.NewPCG(2, uint64(i)))
				for j := range imgs[i].Pix {
					imgs[i].Pix[j] = r.Float32()
				}
			}
		}
		dst := make([]float32, 3*side*side)
		enc, _ := timeRuns(o.Warmup, o.Runs, func() error { encode(dst, imgs); return nil })
		m.Encode = QuantileTable(enc, o.Points)
		st := Summarise(enc)
		rep.Encode = &st
		fmt.Fprintf(o.Log, "calibrate: %s: encoding %d images of %dx%d into a %dx%d %s: p50 %s p99 %s\n",
			spec.Name, len(imgs), src, src, side, side, what, ms(st.P50), ms(st.P99))
	}

	// Decoding time (parity): the parity output minus k-1 S-CNN outputs.
	if spec.Role == sim.RoleParity {
		dec := timeDecode(spec.Grid, s, o)
		m.Decode = QuantileTable(dec, o.Points)
		st := Summarise(dec)
		rep.Decode = &st
		fmt.Fprintf(o.Log, "calibrate: %s: decoding (parity output minus %d outputs): p50 %.0f ns p99 %.0f ns\n",
			spec.Name, spec.Grid-1, st.P50, st.P99)
	}

	// Accuracy.
	var accText string
	if data != nil && data.Len() > 0 {
		var err error
		switch spec.Role {
		case sim.RoleCollage:
			accText, err = collageAccuracy(s, spec, side, data, o, &m, &rep)
		case sim.RoleParity:
			if spec.Single != nil {
				accText, err = parityAccuracy(s, spec, side, data, o, &m, &rep)
			} else {
				accText = "degraded-mode accuracy not measured: no S-CNN outputs to decode with"
			}
		default:
			accText, err = singleAccuracy(s, side, data, &m, &rep)
		}
		if err != nil {
			return sim.Model{}, Report{}, err
		}
		fmt.Fprintf(o.Log, "calibrate: %s: %s\n", spec.Name, accText)
	}

	m.Source = fmt.Sprintf("%s: Session.Run at batch 1, %d runs after %d warm-up: p50 %s, p99 %s, CV %.3f",
		s.Name, o.Runs, o.Warmup, ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV)
	if !math.IsNaN(rep.Others) {
		m.Source += fmt.Sprintf(" (other processes used %.0f%% of the machine's CPU time meanwhile)", 100*rep.Others)
	}
	if accText != "" {
		m.Source += "; " + accText
	}
	if spec.Train != "" {
		m.Source += "; head: " + spec.Train
	}
	return m, rep, nil
}

func singleAccuracy(s *models.Session, side int, data *models.Dataset, m *sim.Model, rep *Report) (string, error) {
	out, err := models.ImageOutputs(s, data.Images, side, 32)
	if err != nil {
		return "", fmt.Errorf("calibrate: %w", err)
	}
	correct := 0
	for i, o := range out {
		if models.Argmax(o) == data.Labels[i] {
			correct++
		}
	}
	m.Accuracy = float64(correct) / float64(len(out))
	m.Coverage = 1 // a single-image classifier answers every request
	rep.Accuracy, rep.Coverage, rep.Tested = m.Accuracy, m.Coverage, len(out)
	return fmt.Sprintf("top-1 %.4f on %s", m.Accuracy, data.Name), nil
}

func collageAccuracy(s *models.Session, spec Spec, side int, data *models.Dataset, o Options, m *sim.Model, rep *Report) (string, error) {
	k := spec.Grid * spec.Grid
	if data.Len() < k {
		return "", fmt.Errorf("calibrate: %s: %d held-out images cannot fill a %dx%d collage", spec.Name, data.Len(), spec.Grid, spec.Grid)
	}
	n := max(1, (o.TestCells+k-1)/k)
	groups := models.RandomGroups(rand.New(rand.NewPCG(uint64(o.TestSeed), uint64(k))), data.Len(), k, n)
	c := &models.Collager{Grid: spec.Grid, Cell: side / spec.Grid}
	out, err := models.CollageOutputs(s, c, data.Images, groups, 8)
	if err != nil {
		return "", fmt.Errorf("calibrate: %w", err)
	}
	cells, covered, correct := 0, 0, 0
	for i, g := range groups {
		for cell, img := range g {
			cells++
			p, arg := models.Softmax(out[i][cell])
			if p < o.MinConfidence {
				continue
			}
			covered++
			if arg == data.Labels[img] {
				correct++
			}
		}
	}
	m.Coverage = float64(covered) / float64(cells)
	if covered > 0 {
		m.Accuracy = float64(correct) / float64(covered)
	}
	rep.Accuracy, rep.Coverage, rep.Tested = m.Accuracy, m.Coverage, cells
	cov := "min confidence 0: every cell gets a prediction"
	if o.MinConfidence > 0 {
		cov = fmt.Sprintf("a cell is answered when its top softmax probability is >= %g", o.MinConfidence)
	}
	return fmt.Sprintf("per-cell top-1 %.4f of covered cells and coverage %.4f (%s) over %d cells of %d full collages of %s",
		m.Accuracy, m.Coverage, cov, cells, len(groups), data.Name), nil
}

// parityAccuracy measures degraded-mode accuracy: over groups of k held-out
// images, each member's output is reconstructed as the parity model's output
// minus the other k-1 members' S-CNN outputs (spec.Single), and scored top-1
// against its label. Coverage is 1: every reconstruction is an answer.
func parityAccuracy(s *models.Session, spec Spec, side int, data *models.Dataset, o Options, m *sim.Model, rep *Report) (string, error) {
	k := spec.Grid
	if data.Len() < k {
		return "", fmt.Errorf("calibrate: %s: %d held-out images cannot fill a parity group of %d", spec.Name, data.Len(), k)
	}
	if len(spec.Single) != data.Len() {
		return "", fmt.Errorf("calibrate: %s: %d S-CNN outputs for %d held-out images", spec.Name, len(spec.Single), data.Len())
	}
	n := max(1, (o.TestCells+k-1)/k)
	groups := models.RandomGroups(rand.New(rand.NewPCG(uint64(o.TestSeed), uint64(3000+k))), data.Len(), k, n)
	out, err := models.ParityOutputs(s, &models.ParityEncoder{K: k, Side: side}, data.Images, groups, 32)
	if err != nil {
		return "", fmt.Errorf("calibrate: %w", err)
	}
	correct, total := models.DegradedAccuracy(out, spec.Single, data.Labels, groups)
	m.Accuracy = float64(correct) / float64(total)
	m.Coverage = 1
	rep.Accuracy, rep.Coverage, rep.Tested = m.Accuracy, m.Coverage, total
	return fmt.Sprintf("degraded-mode top-1 %.4f: each of the %d reconstructions of %d groups of %d of %s is the parity output minus the other %d S-CNN outputs (logits)",
		m.Accuracy, total, len(groups), k, data.Name, k-1), nil
}

// timeDecode times reconstruction: the parity output minus k-1 outputs of as
// many classes as the model's output has. One call takes tens of
// nanoseconds, near the clock's own cost, so each sample is the mean over a
// block of decodeBlock calls.
func timeDecode(k int, s *models.Session, o Options) []float64 {
	classes := 10
	if sh := s.Out.Dimensions; len(sh) == 2 && sh[1] > 0 {
		classes = int(sh[1])
	}
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

func normalised(d *models.Dataset, mean, std []float32) *models.Dataset {
	out := *d
	out.Images = make([]models.Image, d.Len())
	for i, img := range d.Images {
		c := models.Image{W: img.W, H: img.H, Pix: make([]float32, len(img.Pix))}
		plane := img.W * img.H
		for j, v := range img.Pix {
			ch := j / plane
			if mean != nil {
				v -= mean[ch%len(mean)]
			}
			if std != nil {
				v /= std[ch%len(std)]
			}
			c.Pix[j] = v
		}
		out.Images[i] = c
	}
	return &out
}

// ErrNoLibrary reports that ONNX Runtime could not be found.
var ErrNoLibrary = models.ErrNoLibrary
