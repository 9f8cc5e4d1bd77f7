package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

func (e *evaluator) singleAccuracy(o Options, m *sim.Model, rep *Report) (string, error) {
	n := e.data.Len()
	items := make([][]int, n)
	for i := range items {
		items[i] = []int{i}
	}
	e.probe = items[:min(n, 100)]
	stats := make([]rowStat, n)
	err := e.run(items, e.r.in, func(i int, out []float32) {
		stats[i] = statOf(out)
		if e.keep {
			e.outputs = append(e.outputs, append([]float32(nil), out...))
		}
	})
	if err != nil {
		return "", err
	}
	probs, err := e.outputKind(stats, rep)
	if err != nil {
		return "", err
	}
	correct, covered := 0, 0
	for i, s := range stats {
		if top(s, probs) < o.MinConfidence {
			continue
		}
		covered++
		if s.arg == e.data.Label(i) {
			correct++
		}
	}
	m.Coverage = float64(covered) / float64(n)
	m.Accuracy = 0
	if covered > 0 {
		m.Accuracy = float64(correct) / float64(covered)
	}
	if o.MinConfidence == 0 {
		m.Coverage = 1 // a single-image classifier answers every request
	}
	rep.Accuracy, rep.Coverage, rep.Tested, rep.Correct = m.Accuracy, m.Coverage, n, correct
	rep.outputs = e.outputs
	e.chanceWarning(m.Accuracy, rep)
	return fmt.Sprintf("top-1 %.4f (%d of %d) on %s", m.Accuracy, correct, n, e.data.Describe().Name), nil
}

// cellImage is the index within a group of the image output cell j is
// about: positions are filled row-major; a col-major model's cell j is at
// row j%g, column j/g.
func cellImage(j, g int, colMajor bool) int {
	if colMajor {
		return (j%g)*g + j/g
	}
	return j
}

func (e *evaluator) collageAccuracy(o Options, m *sim.Model, rep *Report) (string, error) {
	g := e.r.spec.Grid
	k := g * g
	if e.data.Len() < k {
		return "", usagef("%s: %d held-out images cannot fill a %dx%d collage", e.r.spec.Name, e.data.Len(), g, g)
	}
	n := max(1, (o.TestCells+k-1)/k)
	groups := models.RandomGroups(rand.New(rand.NewPCG(o.TestSeed, uint64(k))), e.data.Len(), k, n)
	if e.r.spec.Head != "" {
		return e.detectorAccuracy(groups, o, m, rep)
	}
	e.probe = groups[:min(len(groups), max(4, 100/k))]
	C := e.r.classes
	stats := make([][]rowStat, len(groups))
	err := e.run(groups, e.r.in, func(i int, out []float32) {
		stats[i] = make([]rowStat, k)
		for j := range k {
			stats[i][j] = statOf(out[j*C : (j+1)*C])
		}
	})
	if err != nil {
		return "", err
	}
	var flat []rowStat
	for _, s := range stats {
		flat = append(flat, s...)
	}
	probs, err := e.outputKind(flat, rep)
	if err != nil {
		return "", err
	}
	colMajor := e.r.spec.Cells == CellsColMajor
	cells, covered, correct, other := 0, 0, 0, 0
	for i, grp := range groups {
		for j := range k {
			cells++
			s := stats[i][j]
			if s.arg == e.data.Label(grp[cellImage(j, g, !colMajor)]) {
				other++
			}
			if top(s, probs) < o.MinConfidence {
				continue
			}
			covered++
			if s.arg == e.data.Label(grp[cellImage(j, g, colMajor)]) {
				correct++
			}
		}
	}
	m.Coverage = float64(covered) / float64(cells)
	m.Accuracy = 0
	if covered > 0 {
		m.Accuracy = float64(correct) / float64(covered)
	}
	rep.Accuracy, rep.Coverage, rep.Tested, rep.Correct = m.Accuracy, m.Coverage, cells, correct
	// The other cell order, scored on the same outputs at no cost.
	all := float64(correct) / float64(cells)
	if o.MinConfidence > 0 {
		all = math.NaN() // compare like with like only when every cell is answered
	}
	if alt := float64(other) / float64(cells); alt > all+0.1 && alt > 2/float64(C) {
		otherName := CellsColMajor
		if colMajor {
			otherName = CellsRowMajor
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("per-cell accuracy is %.4f with cells=%s but %.4f with cells=%s: the model's cell order looks like %s (say cells=%s)",
			all, e.r.spec.Cells, alt, otherName, otherName, otherName))
	}
	e.chanceWarning(m.Accuracy, rep)
	cov := "min confidence 0: every cell gets a prediction"
	if o.MinConfidence > 0 {
		kind := "softmax probability"
		if probs {
			kind = "output probability"
		}
		cov = fmt.Sprintf("a cell is answered when its top %s is >= %g", kind, o.MinConfidence)
	}
	return fmt.Sprintf("per-cell top-1 %.4f of covered cells and coverage %.4f (%s) over %d cells of %d full collages (cells %s) of %s",
		m.Accuracy, m.Coverage, cov, cells, len(groups), e.r.spec.Cells, e.data.Describe().Name), nil
}

// parityAccuracy measures degraded-mode accuracy: over groups of k held-out
// images, each member's output is reconstructed as the parity model's output
// minus the other k-1 members' S-CNN outputs (spec.Single), and scored top-1
// against its label. Coverage is 1: every reconstruction is an answer.
func (e *evaluator) parityAccuracy(o Options, m *sim.Model, rep *Report) (string, error) {
	k := e.r.spec.Grid
	if e.data.Len() < k {
		return "", usagef("%s: %d held-out images cannot fill a parity group of %d", e.r.spec.Name, e.data.Len(), k)
	}
	if len(e.r.spec.Single) != e.data.Len() {
		return "", fmt.Errorf("calibrate: %s: %d S-CNN outputs for %d held-out images", e.r.spec.Name, len(e.r.spec.Single), e.data.Len())
	}
	n := max(1, (o.TestCells+k-1)/k)
	groups := models.RandomGroups(rand.New(rand.NewPCG(o.TestSeed, uint64(3000+k))), e.data.Len(), k, n)
	out := make([][]float32, len(groups))
	if err := e.run(groups, e.r.in, func(i int, row []float32) { out[i] = append([]float32(nil), row...) }); err != nil {
		return "", err
	}
	labels := make([]int, e.data.Len())
	for i := range labels {
		labels[i] = e.data.Label(i)
	}
	correct, total := models.DegradedAccuracy(out, e.r.spec.Single, labels, groups)
	m.Accuracy = float64(correct) / float64(total)
	m.Coverage = 1
	rep.Accuracy, rep.Coverage, rep.Tested, rep.Correct = m.Accuracy, m.Coverage, total, correct
	return fmt.Sprintf("degraded-mode top-1 %.4f: each of the %d reconstructions of %d groups of %d of %s is the parity output minus the other %d S-CNN outputs",
		m.Accuracy, total, len(groups), k, e.data.Describe().Name, k-1), nil
}

// detectorAccuracy scores a detector-style Collage-CNN: each collage's boxes
// are decoded into cells (decodeYOLO); a cell is answered when a box is
// centred in it with a score of at least MinConfidence, and right when
// that box's class is its image's label.
func (e *evaluator) detectorAccuracy(groups [][]int, o Options, m *sim.Model, rep *Report) (string, error) {
	g := e.r.spec.Grid
	calls := make([]cellCall, g*g)
	cells, covered, correct := 0, 0, 0
	err := e.run(groups, e.r.in, func(i int, out []float32) {
		decodeYOLO(out, e.r.spec.Head, e.r.classes, g, e.r.in.w, calls)
		for j, c := range calls {
			cells++
			if !c.ok || c.score < o.MinConfidence {
				continue
			}
			covered++
			if c.class == e.data.Label(groups[i][j]) {
				correct++
			}
		}
	})
	if err != nil {
		return "", err
	}
	m.Coverage = float64(covered) / float64(cells)
	m.Accuracy = 0
	if covered > 0 {
		m.Accuracy = float64(correct) / float64(covered)
	}
	rep.Accuracy, rep.Coverage, rep.Tested, rep.Correct = m.Accuracy, m.Coverage, cells, correct
	e.chanceWarning(m.Accuracy, rep)
	return fmt.Sprintf("per-cell top-1 %.4f of covered cells and coverage %.4f over %d cells of %d full collages of %s, decoded from %s boxes "+
		"(a cell takes the class of the highest-scoring box centred in it; answered when that score is >= %g)",
		m.Accuracy, m.Coverage, cells, len(groups), e.data.Describe().Name, e.r.spec.Head, o.MinConfidence), nil
}

// centreCrop cuts from img the centred region of aspect w:h whose shorter
// side is share of img's shorter side (share 0 or 1 with the same aspect:
// img itself).
func centreCrop(img models.Image, share float64, w, h int) models.Image {
	if share <= 0 {
		return img
	}
	// The largest w:h region that fits, scaled by share.
	cw, ch := float64(img.W), float64(img.W)*float64(h)/float64(w)
	if ch > float64(img.H) {
		cw, ch = float64(img.H)*float64(w)/float64(h), float64(img.H)
	}
	cw, ch = math.Round(cw*share), math.Round(ch*share)
	x0, y0 := int(math.RoundToEven((float64(img.W)-cw)/2)), int(math.RoundToEven((float64(img.H)-ch)/2)) // as torchvision's CenterCrop
	W, H := max(int(cw), 1), max(int(ch), 1)
	if W == img.W && H == img.H {
		return img
	}
	out := models.NewImage(W, H)
	for c := range 3 {
		for y := range H {
			copy(out.Pix[(c*H+y)*W:][:W], img.Pix[(c*img.H+y0+y)*img.W+x0:][:W])
		}
	}
	return out
}
