package calibrate

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// The fixtures in models/testdata/fashion were trained and exported by
// PyTorch (train.py there): a small S-CNN on 28x28 grey Fashion-MNIST images,
// exported several ways, and a 3x3 Collage-CNN, with the first 300 test
// images and PyTorch's own counts of correct answers on them.
const fashionDir = "../models/testdata/fashion"

type fashionExpected struct {
	Images                   int     `json:"images"`
	Mean                     float32 `json:"mean"`
	Std                      float32 `json:"std"`
	SCNNCorrect              int     `json:"scnn_correct"`
	CollageSequentialCells   int     `json:"collage3_sequential_cells"`
	CollageSequentialCorrect int     `json:"collage3_sequential_correct"`
}

func fashion(t *testing.T) (models.Source, fashionExpected) {
	t.Helper()
	requireORT(t)
	var exp fashionExpected
	data, err := os.ReadFile(filepath.Join(fashionDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatal(err)
	}
	src, err := models.OpenIDX(fashionDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != exp.Images {
		t.Fatalf("%d images, expected.json says %d", src.Len(), exp.Images)
	}
	return src, exp
}

func fashionOptions() Options {
	o := quickOptions()
	o.Batches, o.Runs, o.Warmup = nil, 20, 2
	return o
}

func fashionModel(t *testing.T, file string, spec Spec, o Options) (sim.Model, Report) {
	t.Helper()
	m, r, err := Model(filepath.Join(fashionDir, file), spec, o)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m, r
}

// notTiming leaves out the warnings about the machine's timing (noisy or
// unsteady), which depend on what else the machine does.
func notTiming(list []string) []string {
	var out []string
	for _, w := range list {
		if !strings.Contains(w, "noisy timing") && !strings.Contains(w, "unsteady timing") {
			out = append(out, w)
		}
	}
	return out
}

func hasText(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// The S-CNN's top-1 on the 300 images is PyTorch's, to the image, whatever
// the export: dynamic batch, PyTorch's default fixed batch 1, probabilities
// out, NHWC in, or an RGB input fed the grey images as three equal channels.
func TestFashionSCNNMatchesPyTorch(t *testing.T) {
	src, exp := fashion(t)
	spec := Spec{Data: src, Mean: []float32{exp.Mean}, Std: []float32{exp.Std}}
	for _, file := range []string{"scnn.onnx", "scnn-batch1.onnx", "scnn-probs.onnx", "scnn-nhwc.onnx", "scnn-rgb.onnx"} {
		m, r := fashionModel(t, file, spec, fashionOptions())
		if r.Correct != exp.SCNNCorrect || r.Tested != exp.Images || m.Role != sim.RoleSingle {
			t.Errorf("%s: %d of %d correct (role %s), PyTorch %d of %d", file, r.Correct, r.Tested, m.Role, exp.SCNNCorrect, exp.Images)
		}
		if w := notTiming(r.Warnings); len(w) > 0 {
			t.Errorf("%s: warnings %q", file, w)
		}
		if r.Placement.Nodes(models.CPUProvider) == 0 || !strings.Contains(m.Source, "ONNX Runtime ran ") {
			t.Errorf("%s: placement %v, source %s", file, r.Placement, m.Source)
		}
		t.Logf("%s: %d/%d, input %s, notes %q", file, r.Correct, r.Tested, r.Input, r.Notes)
	}
	// The NHWC export is read as such, the RGB one as three channels.
	_, r := fashionModel(t, "scnn-nhwc.onnx", spec, fashionOptions())
	if !strings.HasPrefix(r.Input, "NHWC 28x28 grey") {
		t.Errorf("nhwc input: %s", r.Input)
	}
	_, r = fashionModel(t, "scnn-rgb.onnx", spec, fashionOptions())
	if !strings.HasPrefix(r.Input, "NCHW 28x28 RGB") {
		t.Errorf("rgb input: %s", r.Input)
	}
}

// Probabilities are detected and not softmaxed again: coverage at a
// confidence threshold is the same as the logits model's.
func TestFashionProbabilities(t *testing.T) {
	src, exp := fashion(t)
	o := fashionOptions()
	o.MinConfidence = 0.9
	spec := Spec{Data: src, Mean: []float32{exp.Mean}, Std: []float32{exp.Std}}
	logits, _ := fashionModel(t, "scnn.onnx", spec, o)
	probs, r := fashionModel(t, "scnn-probs.onnx", spec, o)
	if !hasText(r.Notes, "outputs are probabilities") {
		t.Errorf("notes %q", r.Notes)
	}
	if !(logits.Coverage > 0.3 && logits.Coverage < 1) || math.Abs(probs.Coverage-logits.Coverage) > 1.5/float64(exp.Images) {
		t.Errorf("coverage at 0.9: logits %g, probabilities %g: want equal (a second softmax would give 0)", logits.Coverage, probs.Coverage)
	}
	// Declared logits on a probabilities model: a warning, since coverage would be wrong.
	spec.Output = OutputLogits
	_, r = fashionModel(t, "scnn-probs.onnx", spec, o)
	if !hasText(r.Warnings, "look like probabilities") {
		t.Errorf("declared logits: warnings %q", r.Warnings)
	}
}

// Missing normalisation is flagged: the probe finds a convention that scores
// far better.
func TestFashionMissingNormalisation(t *testing.T) {
	src, exp := fashion(t)
	m, r := fashionModel(t, "scnn.onnx", Spec{Data: src}, fashionOptions())
	if !hasText(r.Warnings, "normalisation looks missing or wrong") {
		t.Errorf("accuracy %.3f without mean/std, warnings %q", m.Accuracy, r.Warnings)
	}
	if m.Accuracy >= float64(exp.SCNNCorrect)/float64(exp.Images) {
		t.Errorf("accuracy %.3f without normalisation", m.Accuracy)
	}
	t.Logf("without mean/std: %.3f; %q", m.Accuracy, r.Warnings)
}

// A fixed batch of 1 is accuracy one by one (above) and refuses other batch sizes.
func TestFashionFixedBatch(t *testing.T) {
	src, _ := fashion(t)
	o := fashionOptions()
	o.Batches = []int{4}
	_, _, err := Model(filepath.Join(fashionDir, "scnn-batch1.onnx"), Spec{Data: src}, o)
	if err == nil || !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "fixed at 1") {
		t.Errorf("--batch 4 on a batch-1 model: %v", err)
	}
}

// The Collage-CNN's role and grid come from its output; its per-cell
// accuracy is near PyTorch's (on other groups of the same images); the
// column-major export is flagged unless declared, and then scores exactly
// as the row-major one.
func TestFashionCollage(t *testing.T) {
	src, exp := fashion(t)
	spec := Spec{Data: src, Mean: []float32{exp.Mean}, Std: []float32{exp.Std}}
	row, rr := fashionModel(t, "collage3.onnx", spec, fashionOptions())
	torch := float64(exp.CollageSequentialCorrect) / float64(exp.CollageSequentialCells)
	if row.Role != sim.RoleCollage || row.Grid != 3 || math.Abs(row.Accuracy-torch) > 0.06 {
		t.Errorf("collage3: %s grid %d accuracy %.4f, PyTorch %.4f", row.Role, row.Grid, row.Accuracy, torch)
	}
	if w := notTiming(rr.Warnings); len(w) > 0 {
		t.Errorf("collage3 warnings %q", w)
	}
	col, cr := fashionModel(t, "collage3-colmajor.onnx", spec, fashionOptions())
	if !hasText(cr.Warnings, "cell order looks like col-major") || col.Accuracy > row.Accuracy-0.2 {
		t.Errorf("col-major model read row-major: accuracy %.4f, warnings %q", col.Accuracy, cr.Warnings)
	}
	spec.Cells = CellsColMajor
	col, cr = fashionModel(t, "collage3-colmajor.onnx", spec, fashionOptions())
	if cr.Correct != rr.Correct || col.Accuracy != row.Accuracy || hasText(cr.Warnings, "cell order") {
		t.Errorf("cells=col-major: %d correct, row-major model %d", cr.Correct, rr.Correct)
	}
	// A grid that contradicts the output is refused.
	spec.Grid = 2
	if _, _, err := Model(filepath.Join(fashionDir, "collage3.onnx"), spec, fashionOptions()); err == nil || !strings.Contains(err.Error(), "grid 2 was given, but the output [1 9 10] has 9 cells") {
		t.Errorf("grid 2 on a 3x3 model: %v", err)
	}
}

// Images in folders named by class: read with the class map they match
// exactly as the IDX labels; without one, a warning and near-chance
// accuracy flagged; numeric names are class numbers.
func TestFashionLabelFolders(t *testing.T) {
	src, exp := fashion(t)
	byName, byNumber := t.TempDir(), t.TempDir()
	for i := range src.Len() {
		img, _ := src.Load(i)
		l := src.Label(i)
		for _, dir := range []string{
			filepath.Join(byName, strings.NewReplacer("/", "_", " ", "_").Replace(models.FashionMNISTClasses[l])),
			filepath.Join(byNumber, strconv.Itoa(l)),
		} {
			os.MkdirAll(dir, 0o755)
			writePNG(t, filepath.Join(dir, strconv.Itoa(i)+".png"), img)
		}
	}
	labels := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(labels, []byte(strings.Join(models.FashionMNISTClasses, "\n")+"\n"), 0o644)
	run := func(d Data) Report {
		t.Helper()
		c := Config{Out: filepath.Join(t.TempDir(), "p.toml"), Models: []string{filepath.Join(fashionDir, "scnn.onnx")},
			Defaults: [][2]string{{"mean", "0.2860"}, {"std", "0.3530"}}, Data: d, Opt: fashionOptions()}
		_, reports, err := c.userModels()
		if err != nil {
			t.Fatal(err)
		}
		return reports[0]
	}
	if r := run(Data{Images: byName, Labels: labels}); r.Correct != exp.SCNNCorrect {
		t.Errorf("folders by class name with a class map: %d correct, PyTorch %d", r.Correct, exp.SCNNCorrect)
	}
	if r := run(Data{Images: byNumber}); r.Correct != exp.SCNNCorrect || hasText(r.Warnings, "sorted order") {
		t.Errorf("folders by class number: %d correct, PyTorch %d", r.Correct, exp.SCNNCorrect)
	}
	r := run(Data{Images: byName})
	if !hasText(r.Warnings, "sorted order of its folder names (Ankle_boot = 0, Bag = 1, ...)") || r.Correct >= exp.SCNNCorrect {
		t.Errorf("folders by class name without a class map: %d correct, notes %q, warnings %q", r.Correct, r.Notes, r.Warnings)
	}
}

// Images of another size are refused unless resizing is asked for.
func TestFashionSizeRefused(t *testing.T) {
	src, _ := fashion(t)
	_, _, err := Model(filepath.Join(fashionDir, "collage3.onnx"), Spec{Data: src, InputShape: nil, Grid: 3}, fashionOptions())
	if err != nil {
		t.Fatalf("28-pixel images in 28-pixel cells: %v", err)
	}
	big := &models.Dataset{Name: "big", Classes: models.FashionMNISTClasses}
	for i := range 20 {
		img, _ := src.Load(i)
		big.Images = append(big.Images, models.Resize(img, 32, 32))
		big.Labels = append(big.Labels, src.Label(i))
	}
	_, _, err = Model(filepath.Join(fashionDir, "scnn.onnx"), Spec{Data: big}, fashionOptions())
	if err == nil || !strings.Contains(err.Error(), "are 32x32 but the model's input is 28x28: pass --resize") {
		t.Errorf("32-pixel images: %v", err)
	}
	if _, _, err := Model(filepath.Join(fashionDir, "scnn.onnx"), Spec{Data: big, Resize: true}, fashionOptions()); err != nil {
		t.Errorf("with resize: %v", err)
	}
}

// YOLO-style heads on the same Collage-CNN (one box per cell with the
// cell's softmax as class scores, and a weak distractor box): decoded by
// centre they give the classifier's per-cell answers exactly, and its
// coverage at a threshold; an 86-pixel input (cells of 28 and 29 pixels)
// is read too.
func TestFashionYOLOHeads(t *testing.T) {
	src, exp := fashion(t)
	spec := Spec{Data: src, Mean: []float32{exp.Mean}, Std: []float32{exp.Std}}
	o := fashionOptions()
	o.MinConfidence = 0.9
	cls, cr := fashionModel(t, "collage3.onnx", spec, o)
	for _, tc := range []struct{ file, head string }{{"collage3-yolov5.onnx", HeadYOLOv5}, {"collage3-yolov8.onnx", HeadYOLOv8}, {"collage3-yolov5.onnx", HeadYOLO}} {
		s := spec
		s.Head, s.Grid = tc.head, 3
		if tc.head == HeadYOLO {
			s.Classes = models.FashionMNISTClasses // tells the small, ambiguous shape apart
		}
		m, r := fashionModel(t, tc.file, s, o)
		if m.Role != sim.RoleCollage || m.Grid != 3 || r.Correct != cr.Correct || m.Coverage != cls.Coverage || r.Tested != cr.Tested {
			t.Errorf("%s as %s: %d correct, coverage %g; the classifier %d, %g", tc.file, tc.head, r.Correct, m.Coverage, cr.Correct, cls.Coverage)
		}
	}
	s := spec
	s.Head = HeadYOLOv8
	if _, _, err := Model(filepath.Join(fashionDir, "collage3-yolov8.onnx"), s, o); err == nil || !strings.Contains(err.Error(), "give grid=g") {
		t.Errorf("no grid: %v", err)
	}
	s.Grid = 3
	if _, _, err := Model(filepath.Join(fashionDir, "collage3-yolov8-86px.onnx"), s, o); err == nil || !strings.Contains(err.Error(), "cells are 28 or 29 pixels: pass --resize") {
		t.Errorf("86 pixels without resize: %v", err)
	}
	s.Resize = true
	m, _ := fashionModel(t, "collage3-yolov8-86px.onnx", s, o)
	if math.Abs(m.Accuracy-cls.Accuracy) > 0.05 || math.Abs(m.Coverage-cls.Coverage) > 0.2 {
		t.Errorf("86-pixel detector: accuracy %.4f coverage %.4f, 84-pixel classifier %.4f %.4f", m.Accuracy, m.Coverage, cls.Accuracy, cls.Coverage)
	}
	// Without a head, a detector's output is refused rather than misread.
	if _, _, err := Model(filepath.Join(fashionDir, "collage3-yolov8.onnx"), Spec{Data: src}, o); err == nil || !strings.Contains(err.Error(), "give head=yolo and grid=g") {
		t.Errorf("a detector without head=: %v", err)
	}
}
