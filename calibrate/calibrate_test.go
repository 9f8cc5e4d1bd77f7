package calibrate

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

func requireORT(t testing.TB) {
	t.Helper()
	if err := models.InitRuntime(""); err != nil {
		if os.Getenv("COLLAGESIM_REQUIRE_ORT") != "" {
			t.Fatalf("ONNX Runtime is required here (COLLAGESIM_REQUIRE_ORT is set): %v", err)
		}
		t.Skipf("skipping, no ONNX Runtime (run `make ort`, or use `make test`): %v", err)
	}
}

func tinyBuild(t testing.TB) models.BuildOptions {
	t.Helper()
	a, err := models.ParseArch("small,side=16,stem=8,widths=8/16,blocks=1/1,collage=32")
	if err != nil {
		t.Fatal(err)
	}
	return models.BuildOptions{Arch: a, Grids: []int{2, 4}, Seed: 1, TrainImages: 300,
		Session: models.SessionOptions{IntraOpThreads: 1}}
}

func quickOptions() Options {
	return Options{
		Session: models.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1},
		Warmup:  5, Runs: 50, Points: 101, Batches: []int{1, 4},
		TestImages: 200, TestCells: 256, AllowNoisy: true, Repeat: 1,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
}

func TestBundleProfile(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	p, reports, err := Bundle(dir, tinyBuild(t), quickOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Models) != 3 || len(reports) != 3 {
		t.Fatalf("%d models, %d reports", len(p.Models), len(reports))
	}
	want := []struct {
		name, role string
		grid       int
	}{{"scnn", sim.RoleSingle, 0}, {"collage-2x2", sim.RoleCollage, 2}, {"collage-4x4", sim.RoleCollage, 4}}
	for i, m := range p.Models {
		w := want[i]
		if m.Name != w.name || m.Role != w.role || m.Grid != w.grid {
			t.Errorf("model %d: %s %s %d, want %+v", i, m.Name, m.Role, m.Grid, w)
		}
		if err := m.Latency.Validate(); err != nil || m.Latency.Kind != sim.DistQuantiles || len(m.Latency.Values) != 101 {
			t.Errorf("%s latency: %v, %s", m.Name, err, m.Latency)
		}
		if m.Latency.Values[0] <= 0 {
			t.Errorf("%s: fastest run took %g ns", m.Name, m.Latency.Values[0])
		}
		if len(m.BatchLatency) != 2 || m.BatchLatency[1].Batch != 4 {
			t.Errorf("%s batch latency %+v", m.Name, m.BatchLatency)
		}
		if !(m.Accuracy > 0.1 && m.Accuracy <= 1) || m.Coverage != 1 {
			t.Errorf("%s: accuracy %g coverage %g, want above chance (0.1) and full coverage", m.Name, m.Accuracy, m.Coverage)
		}
		if w.role == sim.RoleCollage && (m.Encode.Kind != sim.DistQuantiles || m.Encode.Values[len(m.Encode.Values)-1] <= 0) {
			t.Errorf("%s: encode %v", m.Name, m.Encode)
		}
		if m.Source == "" {
			t.Errorf("%s has no source", m.Name)
		}
	}
	if p.Meta.RuntimeVersion == "" || p.Meta.Provider != "cpu" || p.Meta.Date != "2026-01-02T03:04:05Z" || p.Meta.Threads != "intra_op=1 inter_op=1" {
		t.Errorf("meta %+v", p.Meta)
	}

	// The profile survives the TOML writer and reader.
	back := roundTrip(t, p)
	if back.Model("collage-4x4") == nil || back.Model("collage-4x4").Grid != 4 ||
		back.Model("scnn").Latency.Quantile(0.5) != p.Model("scnn").Latency.Quantile(0.5) {
		t.Errorf("read back: %+v", back.Models)
	}

	// A second call reuses the built models instead of building again.
	before, _ := os.Stat(filepath.Join(dir, "scnn.onnx"))
	if _, _, err := Bundle(dir, tinyBuild(t), quickOptions()); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(dir, "scnn.onnx"))
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the bundle was rebuilt although its options did not change")
	}
}

// TestBundleParity calibrates parity models: latency, encoding and decoding
// time, and degraded-mode accuracy (reconstructed outputs' top-1) above
// chance and below the S-CNN's.
func TestBundleParity(t *testing.T) {
	requireORT(t)
	build := tinyBuild(t)
	build.Grids = nil
	build.ParityK = []int{2, 4}
	p, reports, err := Bundle(t.TempDir(), build, quickOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Models) != 3 || len(reports) != 3 {
		t.Fatalf("%d models, %d reports", len(p.Models), len(reports))
	}
	scnn := p.Model("scnn")
	for i, k := range build.ParityK {
		m, r := p.Models[i+1], reports[i+1]
		if m.Name != models.ParityName(k) || m.Role != sim.RoleParity || m.Grid != k || len(m.Latency.Values) != 101 {
			t.Errorf("model %d: %s %s grid %d, %d latency points", i+1, m.Name, m.Role, m.Grid, len(m.Latency.Values))
		}
		if m.Encode.Kind != sim.DistQuantiles || m.Encode.Values[len(m.Encode.Values)-1] <= 0 || r.Encode == nil {
			t.Errorf("%s: encode %v", m.Name, m.Encode)
		}
		if m.Decode.Kind != sim.DistQuantiles || m.Decode.Values[len(m.Decode.Values)-1] <= 0 || r.Decode == nil || r.Decode.P50 > 1e5 {
			t.Errorf("%s: decode %v (report %+v), want a few tens of nanoseconds", m.Name, m.Decode, r.Decode)
		}
		// quickOptions: 256 reconstructions per k.
		if !(m.Accuracy > 0.15 && m.Accuracy < scnn.Accuracy) || m.Coverage != 1 || r.Tested != 256 {
			t.Errorf("%s: degraded-mode accuracy %g (S-CNN %g) coverage %g over %d, want above chance (0.1) and below the S-CNN",
				m.Name, m.Accuracy, scnn.Accuracy, m.Coverage, r.Tested)
		}
		if !strings.Contains(m.Source, "degraded-mode top-1") {
			t.Errorf("%s source: %s", m.Name, m.Source)
		}
		t.Logf("%s: degraded-mode top-1 %.3f (S-CNN %.3f)", m.Name, m.Accuracy, scnn.Accuracy)
	}
	back := roundTrip(t, p)
	if m := back.Model("parity-k4"); m == nil || m.Grid != 4 || m.Role != sim.RoleParity || m.Decode.IsZero() || m.Accuracy != p.Model("parity-k4").Accuracy {
		t.Errorf("read back: %+v", m)
	}
}

// TestUserModel calibrates an ONNX file given from outside, with a CIFAR-10
// style held-out set, and checks the errors a user meets.
func TestUserModel(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	build := tinyBuild(t)
	build.Grids = nil
	if _, err := models.Build(dir, build); err != nil {
		t.Fatal(err)
	}
	// A held-out set in CIFAR-10 binary format (32x32, resized to the model's 16x16).
	test := models.Synthetic(9, 100, 32)
	var cifar bytes.Buffer
	if err := models.WriteCIFAR10(&cifar, test); err != nil {
		t.Fatal(err)
	}
	cifarPath := filepath.Join(dir, "test_batch.bin")
	os.WriteFile(cifarPath, cifar.Bytes(), 0o644)
	data, err := models.LoadCIFAR10(cifarPath, 0)
	if err != nil {
		t.Fatal(err)
	}
	// 32x32 images for a 16x16 model: refused unless resizing is asked for.
	_, _, err = Model(filepath.Join(dir, "scnn.onnx"), Spec{Name: "mine", Data: data}, quickOptions())
	if err == nil || !strings.Contains(err.Error(), "are 32x32 but the model's input is 16x16: pass --resize") {
		t.Errorf("32x32 images for a 16x16 model: %v", err)
	}
	m, rep, err := Model(filepath.Join(dir, "scnn.onnx"), Spec{Name: "mine", Data: data, Resize: true}, quickOptions())
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "mine" || m.Role != sim.RoleSingle || rep.Tested != 100 || !(m.Accuracy > 0.1) {
		t.Errorf("model %s role %s: accuracy %g over %d", m.Name, m.Role, m.Accuracy, rep.Tested)
	}
	// Without data, accuracy is not invented.
	m, _, err = Model(filepath.Join(dir, "scnn.onnx"), Spec{}, quickOptions())
	if err != nil || !math.IsNaN(m.Accuracy) || m.Name != "scnn" {
		t.Errorf("no data: %v, name %s, accuracy %g", err, m.Name, m.Accuracy)
	}
	p := Profile([]sim.Model{m}, quickOptions())
	if p.Name != "local-cpu" || !strings.Contains(p.Source, "measured by collagesim calibrate") {
		t.Errorf("profile %s: %s", p.Name, p.Source)
	}

	// Wrong input shape.
	_, _, err = Model(filepath.Join(dir, "scnn.onnx"), Spec{InputShape: []int64{1, 3, 224, 224}}, quickOptions())
	if err == nil || !strings.Contains(err.Error(), "does not match the model's input") {
		t.Errorf("wrong input shape: %v", err)
	}
	// Corrupt model file.
	corrupt := filepath.Join(dir, "corrupt.onnx")
	os.WriteFile(corrupt, []byte("garbage, not protobuf"), 0o644)
	_, _, err = Model(corrupt, Spec{}, quickOptions())
	if err == nil || !strings.Contains(err.Error(), "corrupt.onnx is not a model ONNX Runtime can load") {
		t.Errorf("corrupt model: %v", err)
	}
	// A single-image model claimed to be a collage model.
	_, _, err = Model(filepath.Join(dir, "scnn.onnx"), Spec{Role: sim.RoleCollage, Grid: 3}, quickOptions())
	if err == nil || !strings.Contains(err.Error(), "role collage, but the output [1 10] is one class vector per input") {
		t.Errorf("bad collage claim: %v", err)
	}
	// Bad options.
	o := quickOptions()
	o.Runs = 1
	if _, _, err := Model(filepath.Join(dir, "scnn.onnx"), Spec{}, o); err == nil {
		t.Error("runs 1 gave no error")
	}
}

func TestMissingLibrary(t *testing.T) {
	o := quickOptions()
	o.Library = filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	_, _, err := Bundle(t.TempDir(), tinyBuild(t), o)
	if err == nil || !strings.Contains(err.Error(), "ONNX Runtime library") {
		t.Errorf("missing library: %v", err)
	}
}

// TestUntrainedBundle: timing-only models get latency and encoding time but
// no accuracy, rather than the accuracy of a zero head.
func TestUntrainedBundle(t *testing.T) {
	requireORT(t)
	build := tinyBuild(t)
	build.Untrained = true
	build.Grids = []int{3}
	build.ParityK = []int{2}
	p, _, err := Bundle(t.TempDir(), build, quickOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Models {
		if m.HasAccuracy() || len(m.Latency.Values) != 101 {
			t.Errorf("%s: accuracy %g, %d latency points", m.Name, m.Accuracy, len(m.Latency.Values))
		}
	}
	if c := p.Model("collage-3x3"); c == nil || c.Encode.IsZero() {
		t.Errorf("collage-3x3: %+v", c)
	}
	if m := p.Model("parity-k2"); m == nil || m.Encode.IsZero() || m.Decode.IsZero() {
		t.Errorf("parity-k2: %+v", m)
	}
	if !strings.Contains(p.Source, "for timing only") {
		t.Errorf("source: %s", p.Source)
	}
}

// roundTrip writes p with the profile writer and reads it back from a file.
func roundTrip(t *testing.T, p *sim.Profile) *sim.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := scenarios.WriteProfile(&buf, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.toml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := scenarios.LoadProfile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return back
}
