package calibrate

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// tinyFiles builds the tiny bundle's S-CNN, a 2x2 Collage-CNN and a k=2
// parity model into a folder, once per test binary.
func tinyFiles(t *testing.T) string {
	t.Helper()
	requireORT(t)
	tinyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "calibrate-tiny-")
		if err != nil {
			tinyErr = err
			return
		}
		b := tinyBuild(t)
		b.Grids, b.ParityK = []int{2}, []int{2}
		_, tinyErr = models.Build(dir, b)
		tinyDir = dir
	})
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	return tinyDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tinyDir != "" {
		os.RemoveAll(tinyDir)
	}
	os.Exit(code)
}

// synthFolder writes n synthetic side x side images as class-per-folder PNGs
// named by class index.
func synthFolder(t *testing.T, n, side int, name func(int) string) string {
	t.Helper()
	root := t.TempDir()
	d := models.Synthetic(77, n, side)
	for i, img := range d.Images {
		dir := filepath.Join(root, name(d.Labels[i]))
		os.MkdirAll(dir, 0o755)
		writePNG(t, filepath.Join(dir, strings.Repeat("0", 4-len(itoa(i)))+itoa(i)+".png"), img)
	}
	return root
}

func TestMainUserModels(t *testing.T) {
	dir := tinyFiles(t)
	images := synthFolder(t, 60, 16, itoa)
	out := filepath.Join(t.TempDir(), "p.toml")
	var stdout, warn bytes.Buffer
	c := Config{
		Out:    out,
		JSON:   filepath.Join(t.TempDir(), "p.json"),
		Models: []string{filepath.Join(dir, "scnn.onnx") + ":name=s", filepath.Join(dir, "collage-2x2.onnx") + ":name=c2", filepath.Join(dir, "parity-k2.onnx") + ":role=parity,grid=2,name=p2"},
		Data:   Data{Images: images, Resize: true},
		Opt:    quickOptions(),
		Warn:   &warn,
	}
	c.Opt.Batches = nil
	if err := Main(c, &stdout); err != nil {
		t.Fatal(err)
	}
	p, err := scenarios.LoadProfile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Models) != 3 || p.Model("s").Role != sim.RoleSingle || p.Model("c2").Role != sim.RoleCollage || p.Model("c2").Grid != 2 ||
		p.Model("p2").Role != sim.RoleParity || p.Model("p2").Grid != 2 {
		t.Fatalf("profile models: %+v", p.Models)
	}
	// The parity model decodes with the S-CNN's outputs of the same command.
	if !p.Model("p2").HasAccuracy() || !strings.Contains(p.Model("p2").Source, "degraded-mode top-1") {
		t.Errorf("parity model: accuracy %g, source %s", p.Model("p2").Accuracy, p.Model("p2").Source)
	}
	for _, want := range []string{"model ", "p50_ms", "profile \"local-cpu\" written to " + out} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(c.JSON); err != nil {
		t.Error(err)
	}
}

func TestMainUsageErrors(t *testing.T) {
	dir := tinyFiles(t)
	scnn := filepath.Join(dir, "scnn.onnx")
	out := filepath.Join(t.TempDir(), "p.toml")
	// Each case writes (or must not write) its own file.
	cases := []struct {
		name string
		c    Config
		want string
	}{
		{"no out", Config{Models: []string{scnn}}, "--out is required"},
		{"two sets", Config{Out: out, Models: []string{scnn}, Data: Data{Images: "a", IDX: "b"}}, "give one held-out set"},
		{"bundle with data", Config{Out: out, Data: Data{Images: "a"}}, "apply to --onnx models"},
		{"unknown key", Config{Out: out, Models: []string{scnn + ":colour=red"}}, `unknown model setting "colour"`},
		{"bad role", Config{Out: out, Models: []string{scnn + ":role=detector"}}, `role="detector": want single, collage or parity`},
		{"two means for three channels", Config{Out: out, Models: []string{scnn + ":mean=0.5,0.5"}}, "mean has 2 values but the model's input has 3 channels"},
		{"grid on a single output", Config{Out: out, Models: []string{scnn + ":grid=3"}}, "grid 3 was given, but the output [1 10] is one class vector per input"},
		{"same name twice", Config{Out: out, Models: []string{scnn, scnn}}, `both named "scnn"`},
		{"bad repeat", Config{Out: out, Models: []string{scnn}, Opt: Options{Repeat: -1}}, "repeat -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.c.Out != "" {
				tc.c.Out = filepath.Join(t.TempDir(), "p.toml")
			}
			out := tc.c.Out
			o := tc.c.Opt
			tc.c.Opt = quickOptions()
			if o.Repeat != 0 {
				tc.c.Opt.Repeat = o.Repeat
			}
			tc.c.Opt.Batches = nil
			err := Main(tc.c, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrUsage) {
				t.Errorf("%v is not a usage error", err)
			}
			if _, err := os.Stat(out); out != "" && err == nil {
				t.Error("a profile was written")
			}
		})
	}
}

func TestParseModelArg(t *testing.T) {
	path, kv, err := ParseModelArg("dir:with:colons/m.onnx:role=collage,grid=3,mean=0.485,0.456,0.406,cells=col-major")
	if err != nil || path != "dir:with:colons/m.onnx" || len(kv) != 4 || kv[2] != [2]string{"mean", "0.485,0.456,0.406"} || kv[3][1] != "col-major" {
		t.Fatalf("%q %q %v", path, kv, err)
	}
	if path, kv, err := ParseModelArg("plain.onnx"); err != nil || path != "plain.onnx" || kv != nil {
		t.Fatalf("%q %q %v", path, kv, err)
	}
	var s Spec
	for _, kv := range kv {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"grid=1", "grid=x", "cells=diagonal", "std=0", "range=2", "input-shape=1,3,224", "layout=nchwc"} {
		k, v, _ := strings.Cut(bad, "=")
		if err := (&Spec{}).Set(k, v); err == nil || !errors.Is(err, ErrUsage) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

var (
	tinyOnce sync.Once
	tinyDir  string
	tinyErr  error
)

func itoa(i int) string { return strconv.Itoa(i) }

func writePNG(t *testing.T, path string, img models.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img.ToImage()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Folders named by class are matched to the class names the model carries
// in its metadata when no labels file is given: the same answers as
// folders named by class number.
func TestFolderMatchedToModelClasses(t *testing.T) {
	dir := tinyFiles(t)
	byNumber := synthFolder(t, 60, 16, itoa)
	byName := synthFolder(t, 60, 16, func(l int) string { return strings.ToUpper(models.SynthClasses[l]) })
	run := func(images string) Report {
		t.Helper()
		c := Config{Out: "unused", Models: []string{filepath.Join(dir, "scnn.onnx")}, Data: Data{Images: images}, Opt: quickOptions()}
		c.Opt.Batches = nil
		_, reports, err := c.userModels()
		if err != nil {
			t.Fatal(err)
		}
		return reports[0]
	}
	a, b := run(byNumber), run(byName)
	if a.Correct != b.Correct || a.Tested != 60 || hasText(b.Warnings, "sorted order") {
		t.Errorf("by number %d of %d, by name %d of %d, warnings %q", a.Correct, a.Tested, b.Correct, b.Tested, b.Warnings)
	}
}

// The bundle trained on an IDX set's training split and measured on its
// test split: real images, grey, 28 pixels, resized to the bundle's side.
func TestBundleOnIDX(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	for _, split := range []struct {
		prefix string
		seed   uint64
		n      int
	}{{"train", 5, 400}, {"t10k", 6, 100}} {
		d := models.Synthetic(split.seed, split.n, 28)
		var ib, lb bytes.Buffer
		if err := models.WriteIDX(&ib, &lb, d); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, split.prefix+"-images-idx3-ubyte"), ib.Bytes(), 0o644)
		os.WriteFile(filepath.Join(dir, split.prefix+"-labels-idx1-ubyte"), lb.Bytes(), 0o644)
	}
	build := tinyBuild(t)
	build.Grids, build.TrainImages = []int{2}, 300
	c := Config{Out: filepath.Join(t.TempDir(), "p.toml"), ModelsDir: t.TempDir(), Build: build, Data: Data{IDX: dir}, Opt: quickOptions()}
	c.Opt.Batches = nil
	var out bytes.Buffer
	if err := Main(c, &out); err != nil {
		t.Fatal(err)
	}
	p, err := scenarios.LoadProfile(c.Out)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Models {
		if !(m.Accuracy > 0.15) || !strings.Contains(m.Source, "held-out images of "+dir) {
			t.Errorf("%s: accuracy %g, source %s", m.Name, m.Accuracy, m.Source)
		}
	}
	b, err := models.ReadBundle(c.ModelsDir)
	if err != nil || b.Data != dir {
		t.Errorf("bundle data %q: %v", b.Data, err)
	}
	// Without a training split the bundle cannot be trained on the set.
	os.Remove(filepath.Join(dir, "train-images-idx3-ubyte"))
	if err := Main(c, &out); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte[.gz], which is not there") {
		t.Errorf("no training split: %v", err)
	}
}
