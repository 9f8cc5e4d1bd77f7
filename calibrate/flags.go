package calibrate

import (
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/collagesim/collagesim/models"
)

// Flags adds the flags of "collagesim calibrate" to fs, each writing into c,
// and returns --quiet.
func Flags(fs *flag.FlagSet, c *Config) (quiet *bool) {
	o := &c.Opt
	fs.StringVar(&c.Out, "out", "", "profile file to write (TOML); required")
	fs.StringVar(&c.JSON, "json", "", "also write the profile as JSON to this file")
	fs.StringVar(&o.ProfileName, "name", "local-cpu", "profile name")
	fs.StringVar(&c.ModelsDir, "models", ".cache/models", "folder of the bundled models (built there when missing or built with other options)")
	c.Build.Arch, _ = models.ParseArch("small")
	fs.Func("arch", "bundled models' architecture: "+strings.Join(models.PresetNames(), ", ")+", optionally with overrides (small,side=64,widths=32/64/128) (default small)",
		func(v string) (err error) { c.Build.Arch, err = models.ParseArch(v); return err })
	ints := func(name, def, help string, dst *[]int) {
		*dst, _ = ParseInts(def)
		fs.Func(name, help+map[bool]string{true: " (default " + def + ")"}[def != ""], func(v string) (err error) { *dst, err = ParseInts(v); return err })
	}
	ints("grids", "2,3,4", "Collage-CNN grids of the bundle", &c.Build.Grids)
	ints("parity-k", "2,4,9", fmt.Sprintf("group sizes k of the bundle's parity models (ParM), \"\" for none; k = %d is named %q, the others parity-k<k>", models.DefaultParityK, models.ParityBaseName), &c.Build.ParityK)
	fs.Uint64Var(&c.Build.Seed, "seed", 1, "seed of the bundled models' weights and training images")
	fs.IntVar(&c.Build.TrainImages, "train", 3000, "training images for the bundled models' heads")
	fs.BoolVar(&c.Build.Untrained, "timing-only", false, "build the bundle with untrained (zero) heads and measure latency only (large architectures)")
	fs.Func("onnx", "calibrate this ONNX model instead of the bundle, PATH or PATH:key=value,... (repeatable; keys: "+strings.Join(SpecKeys, ", ")+")",
		func(v string) error { c.Models = append(c.Models, v); return nil })
	fs.Func("model-name", "profile names of the --onnx models, comma-separated in order (default: file name; or name= per model)",
		func(v string) error { c.Names = strings.Split(v, ","); return nil })
	for _, f := range []struct{ key, help string }{
		{"role", "role of every --onnx model: single, collage or parity (default: from the output shape and metadata; parity must be declared)"},
		{"grid", "collage grid g (checked against the output's g*g cells) or parity group size k"},
		{"cells", "order of a collage output's cells: row-major (default) or col-major"},
		{"output", "what the models output: logits, probs or auto (default: probabilities detected)"},
		{"collage-head", "a detector-style Collage-CNN's boxes, decoded into cells by centre: yolo, yolov5 or yolov8 (give grid too)"},
		{"layout", "input layout: nchw, nhwc or auto (default: from the channel dimension)"},
		{"mean", "per-channel input mean, one value per channel, e.g. 0.485,0.456,0.406"},
		{"std", "per-channel input std, one value per channel, e.g. 0.229,0.224,0.225"},
		{"range", "pixel range before mean/std: 1 ([0, 1], default) or 255"},
		{"input-shape", "input shape with batch, e.g. 1,3,224,224, for symbolic sizes (default: from the model)"},
		{"source-side", "side of the images a collage is built from, for its encoding time (default: the cell side)"},
	} {
		key := strings.TrimPrefix(f.key, "collage-")
		fs.Func(f.key, f.help, func(v string) error {
			if err := (&Spec{}).Set(key, v); err != nil {
				return err
			}
			c.Defaults = append(c.Defaults, [2]string{key, v})
			return nil
		})
	}
	fs.StringVar(&c.Data.CIFAR, "cifar", "", "held-out set: CIFAR-10/100 binary batch file or folder")
	fs.StringVar(&c.Data.Images, "images", "", "held-out set: folder of <class>/<image>.png|jpg (decoded batch by batch)")
	fs.StringVar(&c.Data.IDX, "idx", "", "held-out set: IDX images file or folder (MNIST, Fashion-MNIST: t10k-images-idx3-ubyte[.gz])")
	fs.StringVar(&c.Data.Labels, "labels", "", "class map: one class name per line in output order; --images folders are matched to it by name")
	fs.IntVar(&c.Data.Limit, "limit", 0, "use at most this many held-out images (per class for --images); 0: all")
	fs.BoolVar(&c.Data.Resize, "resize", false, "resample held-out images that are not at the model's input (or cell) size; without it they are refused")
	fs.Float64Var(&c.Data.Crop, "crop", 0, "centre-crop this share of each image's shorter side, then resize (0.875: torchvision's Resize(256) + CenterCrop(224))")
	fs.StringVar(&o.Library, "ort-lib", "", "ONNX Runtime shared library (libonnxruntime.so.1)")
	fs.StringVar(&o.Session.Provider, "provider", "cpu", "execution provider: cpu, cuda, tensorrt")
	fs.IntVar(&o.Session.IntraOpThreads, "threads", 1, "intra-op threads per session (0: ONNX Runtime's default, one per core)")
	fs.IntVar(&o.Session.InterOpThreads, "inter-threads", 1, "inter-op threads per session (0: ONNX Runtime's default)")
	fs.IntVar(&o.Warmup, "warmup", 100, "untimed runs before timing")
	fs.IntVar(&o.Runs, "runs", 2000, "timed runs per model (and per batch size); at least 2")
	ints("batch", "", "also record latency at these batch sizes, e.g. 1,4,8", &o.Batches)
	fs.IntVar(&o.Points, "quantiles", 1001, "points of each latency quantile table")
	fs.Float64Var(&o.MinConfidence, "min-confidence", 0, "coverage: a cell (or image) counts as answered when its top probability is at least this (0: every one)")
	fs.IntVar(&o.TestImages, "test", 1000, "held-out synthetic images for the bundle's accuracy")
	fs.IntVar(&o.TestCells, "test-cells", 2000, "held-out collage cells per grid, and reconstructions per parity model")
	fs.Float64Var(&o.MaxOthers, "max-others", 0.10, "largest share of the machine's CPU time other processes may use while a model is timed")
	fs.IntVar(&o.Repeat, "repeat", 3, "tries to time each round (every model's turn) with other processes under --max-others")
	fs.IntVar(&o.Rounds, "rounds", 20, "timing rounds: each model's runs (and each batch size's) are split into this many, the models taking turns in each, so a change in the machine's speed falls on all alike")
	fs.BoolVar(&o.AllowNoisy, "allow-noisy", false, "write the profile even when every try was contaminated (marked noisy in the profile)")
	return fs.Bool("quiet", false, "print no progress (warnings still go to stderr)")
}

// CheckFlags refuses counts given as zero or negative: a number given as 0
// is refused, not read as "the default".
func CheckFlags(fs *flag.FlagSet) error {
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if v := f.Value.String(); strings.Contains(" runs warmup quantiles repeat rounds max-others train test test-cells ", " "+f.Name+" ") && (v == "0" || v[0] == '-') {
			bad = fmt.Errorf("--%s %s: must be positive", f.Name, v)
		}
	})
	return bad
}
