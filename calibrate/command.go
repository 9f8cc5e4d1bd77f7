package calibrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// Config is one `collagesim calibrate` command: the bundle or the user's
// models to measure, the held-out data, and where the profile goes.
type Config struct {
	Out  string // profile file to write (TOML); required
	JSON string // also write the profile as JSON here ("" none)

	// The bundle, measured when Models is empty.
	ModelsDir string
	Build     models.BuildOptions

	// Models are the user's ONNX files (--onnx PATH[:key=value,...]); each
	// starts from Defaults (the command's model flags) and applies its own
	// settings over them.
	Models   []string
	Defaults [][2]string
	Names    []string // --model-name, comma-separated names in order (older form of name=)

	Data Data
	Opt  Options
	// Warn receives warnings even when Opt.Log is nil (quiet).
	Warn io.Writer
}

// Data is the held-out set of the user's models: at most one of CIFAR,
// Images and IDX.
type Data struct {
	CIFAR, Images, IDX string
	Labels             string  // class map file: one class name per line, in output order
	Limit              int     // at most this many images (per class for Images); 0 all
	Resize             bool    // resample images that are not at the model's size
	Crop               float64 // centre-crop this share of the shorter side first (0.875: ImageNet's 224 of 256)
}

// Open opens the configured held-out set (nil, nil when none is set).
// modelClasses, if not nil, is the class map an image folder is matched to
// when there is no labels file (the model's own class names).
func (d Data) Open(modelClasses []string) (models.Source, []string, error) {
	n := 0
	for _, s := range []string{d.CIFAR, d.Images, d.IDX} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return nil, nil, usagef("give one held-out set: --cifar, --images or --idx")
	}
	if d.Limit < 0 {
		return nil, nil, usagef("--limit %d: want 0 (all) or a positive count", d.Limit)
	}
	var classes []string
	if d.Labels != "" {
		var err error
		if classes, err = models.ReadClassNames(d.Labels); err != nil {
			return nil, nil, usageError{fmt.Errorf("calibrate: --labels: %w", err)}
		}
	}
	switch {
	case d.CIFAR != "":
		s, err := models.OpenCIFAR(d.CIFAR, d.Limit)
		return s, classes, err
	case d.IDX != "":
		s, err := models.OpenIDX(d.IDX, d.Limit)
		return s, classes, err
	case d.Images != "":
		match := classes
		if match == nil {
			match = modelClasses
		}
		s, err := models.OpenFolder(d.Images, models.FolderOptions{Classes: match, Limit: d.Limit})
		return s, classes, err
	}
	if d.Labels != "" {
		return nil, nil, usagef("--labels needs a held-out set (--images, --idx or --cifar)")
	}
	return nil, nil, nil
}

// Main runs the command: it measures, writes the profile (and JSON) and
// prints a table of what was measured to w. Errors in what was asked wrap
// ErrUsage.
func Main(c Config, w io.Writer) error {
	if c.Out == "" {
		return usagef("--out is required")
	}
	if c.Warn == nil {
		c.Warn = io.Discard
	}
	var p *sim.Profile
	var reports []Report
	var err error
	if len(c.Models) == 0 {
		d := c.Data
		d.IDX, d.Limit = "", 0
		if d != (Data{}) || len(c.Defaults) > 0 || len(c.Names) > 0 {
			return usagef("model settings and held-out sets other than --idx (--images, --cifar, --labels, --role, --grid, ...) apply to --onnx models; the bundle trains and measures on synthetic images, or on an IDX set's splits (--idx)")
		}
		if c.Data.IDX != "" {
			if c.Build.Data, c.Opt.TestData, err = idxSplits(c.Data.IDX, c.Build.TrainImages); err != nil {
				return err
			}
		}
		if p, reports, err = Bundle(c.ModelsDir, c.Build, c.Opt); err != nil {
			return err
		}
	} else if p, reports, err = c.userModels(); err != nil {
		return err
	}
	if c.Opt.Log == nil { // quiet: the progress log did not show them
		for _, r := range reports {
			for _, wn := range r.Warnings {
				fmt.Fprintf(c.Warn, "calibrate: WARNING: %s: %s\n", r.Name, wn)
			}
		}
	}
	var buf bytes.Buffer
	if err := scenarios.WriteProfile(&buf, p); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	if err := atomicfile.WriteFile(c.Out, buf.Bytes()); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	if c.JSON != "" {
		data, err := json.MarshalIndent(jsonProfile(p), "", "  ")
		if err != nil {
			return fmt.Errorf("calibrate: %w", err)
		}
		if err := atomicfile.WriteFile(c.JSON, append(data, '\n')); err != nil {
			return fmt.Errorf("calibrate: %w", err)
		}
	}
	PrintReports(w, reports)
	fmt.Fprint(w, Legend)
	fmt.Fprintf(w, "profile %q written to %s\n", p.Name, c.Out)
	return nil
}

// userModels calibrates the --onnx models in order into one profile. An
// S-CNN's outputs are kept for the parity models after it with the same
// input, whose degraded-mode accuracy decodes with them.
func (c Config) userModels() (*sim.Profile, []Report, error) {
	o := c.Opt.withDefaults()
	err := o.validate()
	if err != nil {
		return nil, nil, err
	}
	var modelClasses []string
	if c.Data.Images != "" && c.Data.Labels == "" {
		if modelClasses, err = c.modelClassNames(o); err != nil {
			return nil, nil, err
		}
	}
	data, classes, err := c.Data.Open(modelClasses)
	if err != nil {
		return nil, nil, err
	}
	type parsed struct {
		path string
		spec Spec
	}
	var list []parsed
	names := map[string]string{}
	for i, arg := range c.Models {
		path, settings, err := ParseModelArg(arg)
		if err != nil {
			return nil, nil, err
		}
		if c.Data.Crop < 0 || c.Data.Crop > 1 {
			return nil, nil, usagef("--crop %g: want a share of the shorter side in (0, 1], e.g. 0.875 (224 of 256), or 0 for none", c.Data.Crop)
		}
		spec := Spec{Classes: classes, Resize: c.Data.Resize || c.Data.Crop > 0, Crop: c.Data.Crop}
		if i < len(c.Names) && c.Names[i] != "" {
			settings = append([][2]string{{"name", c.Names[i]}}, settings...)
		}
		for _, kv := range append(append([][2]string(nil), c.Defaults...), settings...) {
			if err := spec.Set(kv[0], kv[1]); err != nil {
				return nil, nil, fmt.Errorf("--onnx %s: %w", path, err)
			}
		}
		if data != nil {
			spec.Data = data
		}
		if spec.Name == "" {
			spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
		if prev, ok := names[spec.Name]; ok {
			return nil, nil, usagef("%s and %s are both named %q in the profile: give one of them name=...", prev, path, spec.Name)
		}
		names[spec.Name] = path
		list = append(list, parsed{path, spec})
	}
	if len(c.Names) > len(c.Models) {
		return nil, nil, usagef("--model-name has %d names for %d --onnx models", len(c.Names), len(c.Models))
	}
	if err := models.InitRuntime(o.Library); err != nil {
		return nil, nil, err
	}
	var ss []*models.Session
	defer func() {
		for _, s := range ss {
			s.Close()
		}
	}()
	specs := make([]Spec, len(list))
	for i, l := range list {
		spec := l.spec
		needSingle := false
		for _, later := range list[i+1:] {
			needSingle = needSingle || later.spec.Role == sim.RoleParity
		}
		spec.keepOutputs = needSingle && spec.Role != sim.RoleParity && data != nil
		s, spec, err := openModel(l.path, spec, o)
		if err != nil {
			return nil, nil, err
		}
		ss, specs[i] = append(ss, s), spec
	}
	var single [][]float32
	var singleShape []int
	decodes := make([]bool, len(list))
	hooks := &sessionHooks{
		before: func(i int, spec *Spec) error {
			if spec.Role == sim.RoleParity && single != nil {
				spec.Single, decodes[i] = single, true
			}
			return nil
		},
		after: func(i int, m sim.Model, r Report) error {
			if m.Role == sim.RoleSingle && r.outputs != nil {
				single, singleShape = r.outputs, m.InputShape
			}
			if m.Role == sim.RoleParity && decodes[i] && fmt.Sprint(singleShape) != fmt.Sprint(m.InputShape) {
				return usagef("%s: the parity model's input %v differs from the S-CNN's %v it decodes with", list[i].path, m.InputShape, singleShape)
			}
			return nil
		},
	}
	ms, reports, err := calibrateSessions(ss, specs, o, hooks)
	if err != nil {
		return nil, nil, err
	}
	return Profile(ms, o), reports, nil
}

// jsonProfile replaces NaN (not measured), which JSON cannot hold, by -1.
func jsonProfile(p *sim.Profile) *sim.Profile {
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

// PrintReports writes one line per model: latency, how far apart its
// timing rounds' medians were, accuracy, coverage,
// encoding and decoding time, fill and call cost, and the others' CPU share.
func PrintReports(w io.Writer, reports []Report) {
	fmt.Fprintf(w, "%-12s %10s %10s %10s %7s %7s %9s %9s %12s %12s %12s %12s %7s\n",
		"model", "p50_ms", "p99_ms", "mean_ms", "cv", "rounds", "accuracy", "coverage", "encode_p50", "decode_p50", "fill_p50", "call_p50", "others")
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
		fmt.Fprintf(w, "%-12s %10.4f %10.4f %10.4f %7.3f %6.0f%% %9s %9s %12s %12s %9.4f ms %9.4f ms %6.0f%%\n",
			r.Name, r.Latency.P50/1e6, r.Latency.P99/1e6, r.Latency.Mean/1e6, r.Latency.CV, 100*spread(r.Rounds),
			f(r.Accuracy), f(r.Coverage), enc, dec, r.Fill.P50/1e6, r.Overhead.P50/1e6, 100*r.Others)
	}
	for _, r := range reports {
		for _, n := range r.Notes {
			fmt.Fprintf(w, "note: %s: %s\n", r.Name, n)
		}
		for _, wn := range r.Warnings {
			fmt.Fprintf(w, "WARNING: %s: %s\n", r.Name, wn)
		}
	}
}

// Legend explains PrintReports' columns.
const Legend = `p50/p99/mean/cv: batch-1 Session.Run as timed from Go; rounds: how far apart
its medians in 5 periods of the calibration were (largest over smallest - 1;
the models took turns in 20 rounds; over 20% is warned about); encode: building one
collage or parity input; decode: reconstructing one output from the parity
output; accuracy: top-1 (S-CNN), per-cell top-1 (collage), top-1 of the
reconstructed outputs (parity, degraded mode); fill: copying a prepared input
into the input tensor; call: Session.Run of an Identity model on the same input
(cgo and runtime cost); others: share of the machine's CPU time other processes
used while timing.
`

// Usage is the command's synopsis, before its flags.
const Usage = `Usage:
  collagesim calibrate [flags] --out PROFILE.toml
      build the bundled S-CNN, Collage-CNN and parity models (into --models,
      if not there yet) and measure them
  collagesim calibrate --onnx MODEL.onnx[:key=value,...] [--onnx ...] [flags] --out PROFILE.toml
      measure your own ONNX models into one profile. Input [N,C,H,W] or
      [N,H,W,C], C = 3 (RGB) or 1 (grey); output [N,classes] (S-CNN; parity
      with role=parity,grid=k) or [N,g*g,classes] (Collage-CNN: role and grid
      are inferred from it). Per-model settings (` + "`" + `key=value` + "`" + `, after the
      file and a colon) override the flags of the same name:
        name role grid cells(row-major|col-major) output(logits|probs|auto)
        head(yolo|yolov5|yolov8, flag --collage-head) layout(nchw|nhwc|auto)
        mean std range(1|255) input-shape source-side
      e.g. --onnx scnn.onnx --onnx c3.onnx:cells=col-major,output=probs
  See the README's Calibration section for the model contract.

ONNX Runtime is looked up from --ort-lib, then $ONNXRUNTIME_LIB, then the
cache "make ort" fills (.cache/onnxruntime).

Flags:
`

// modelClassNames reads the class names the first model that has them
// carries in its metadata (collagesim.classes, or Ultralytics' names).
func (c Config) modelClassNames(o Options) ([]string, error) {
	if err := models.InitRuntime(o.Library); err != nil {
		return nil, err
	}
	for _, arg := range c.Models {
		path, _, err := ParseModelArg(arg)
		if err != nil {
			return nil, err
		}
		s, err := models.OpenFile(path, o.Session)
		if err != nil {
			return nil, err
		}
		meta := s.Meta
		s.Close()
		for _, k := range []string{models.MetaClasses, "classes", "names"} {
			if names := models.ParseClassNames(meta[k]); len(names) > 0 {
				return names, nil
			}
		}
	}
	return nil, nil
}

// idxSplits opens an IDX folder's training split (its first train images,
// for the bundle's heads) and its test split (held out).
func idxSplits(dir string, train int) (*models.Dataset, models.Source, error) {
	var trainFile string
	for _, name := range []string{"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			trainFile = p
		}
	}
	if trainFile == "" {
		return nil, nil, usagef("--idx %s: the bundle trains on the training split, train-images-idx3-ubyte[.gz], which is not there", dir)
	}
	src, err := models.OpenIDX(trainFile, train)
	if err != nil {
		return nil, nil, err
	}
	d, err := models.Materialise(src, train, 0)
	if err != nil {
		return nil, nil, err
	}
	if !fileExists(filepath.Join(dir, "t10k-images-idx3-ubyte")) && !fileExists(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")) {
		return nil, nil, usagef("--idx %s: the bundle is measured on the test split, t10k-images-idx3-ubyte[.gz], which is not there", dir)
	}
	test, err := models.OpenIDX(dir, 0)
	if err != nil {
		return nil, nil, err
	}
	return d, test, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
