package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// evaluator runs a held-out set through a model, decoding images batch by
// batch (nothing but the current batch is held in memory).
type evaluator struct {
	s        *models.Session
	r        *resolved
	data     models.Source
	batch    int // items per Session.Run
	collager *models.Collager
	parity   *models.ParityEncoder
	planar   []float32
	imgs     []models.Image
	probe    [][]int // the items the normalisation probe reruns
	keep     bool    // keep every output row (an S-CNN whose outputs a parity model decodes with)
	outputs  [][]float32
}

func newEvaluator(s *models.Session, r *resolved) *evaluator {
	e := &evaluator{s: s, r: r, data: r.spec.Data, batch: r.batch, planar: make([]float32, 3*r.in.w*r.in.h), keep: r.spec.keepOutputs}
	if e.batch == 0 {
		e.batch = 32
		if r.spec.Role == sim.RoleCollage {
			e.batch = 8
		}
	}
	switch r.spec.Role {
	case sim.RoleCollage:
		e.collager = &models.Collager{Grid: r.spec.Grid, Cell: r.in.w / r.spec.Grid}
		if r.in.w%r.spec.Grid != 0 {
			e.collager.Size = r.in.w // a detector's 416 pixels for 3x3: cells of 138 or 139
		}
		e.imgs = make([]models.Image, r.spec.Grid*r.spec.Grid)
	case sim.RoleParity:
		e.parity = &models.ParityEncoder{K: r.spec.Grid, Side: r.in.w}
		e.imgs = make([]models.Image, r.spec.Grid)
	}
	return e
}

// want is the image size the model takes: its input, or a collage's cell.
func (e *evaluator) want() (w, h int) {
	if e.collager != nil {
		return e.collager.Cell, e.collager.Cell
	}
	return e.r.in.w, e.r.in.h
}

// checkSizes refuses, before any work, a set whose images are not at the
// size the model takes (unless resizing was asked for), and labels outside
// the model's classes.
func (e *evaluator) checkSizes(rep *Report) error {
	info := e.data.Describe()
	w, h := e.want()
	what := "the model's input"
	if e.collager != nil {
		what = fmt.Sprintf("a cell of the %dx%d collage input (%d pixels / %d)", e.r.in.w, e.r.in.h, e.r.in.w, e.r.spec.Grid)
	}
	if e.collager != nil && e.collager.Size > 0 && !e.r.spec.Resize {
		return usagef("%s: the input side %d is not a multiple of grid %d, so cells are %d or %d pixels: pass --resize to resample the images into them",
			e.r.spec.Name, e.r.in.w, e.r.spec.Grid, e.r.in.w/e.r.spec.Grid, e.r.in.w/e.r.spec.Grid+1)
	}
	if info.W > 0 && (info.W != w || info.H != h) && !e.r.spec.Resize {
		return usagef("%s: the images of %s are %dx%d but %s is %dx%d: pass --resize to resample them (area averaging down, bilinear up), or give images at that size",
			e.r.spec.Name, info.Name, info.W, info.H, what, w, h)
	}
	if info.Warning != "" {
		rep.Warnings = append(rep.Warnings, info.Warning)
	}
	for i := range e.data.Len() {
		if l := e.data.Label(i); l < 0 || l >= e.r.classes {
			return usagef("%s: image %d of %s has label %d (class %q), outside the model's %d output classes: check the class map (--labels FILE, one name per line in output order)",
				e.r.spec.Name, i, info.Name, l, className(info.Classes, l), e.r.classes)
		}
	}
	return nil
}

func className(classes []string, l int) string {
	if l >= 0 && l < len(classes) {
		return classes[l]
	}
	return "?"
}

// load decodes image i and checks its size.
func (e *evaluator) load(i, w, h int) (models.Image, error) {
	img, err := e.data.Load(i)
	if err != nil {
		return models.Image{}, fmt.Errorf("calibrate: %w", err)
	}
	if (img.W != w || img.H != h) && !e.r.spec.Resize {
		where := fmt.Sprintf("image %d", i)
		if f, ok := e.data.(*models.Folder); ok {
			where = f.Path(i)
		}
		return models.Image{}, usagef("%s: %s is %dx%d but the model takes %dx%d: pass --resize to resample, or give images at that size",
			e.r.spec.Name, where, img.W, img.H, w, h)
	}
	return img, nil
}

// item writes the model input for one group of images (one image for an
// S-CNN, g*g for a collage in row-major positions, k for a parity input).
func (e *evaluator) item(dst []float32, group []int, f inputFormat) error {
	w, h := e.want()
	switch {
	case e.collager != nil || e.parity != nil:
		for k := range e.imgs {
			e.imgs[k] = models.Image{}
			if k < len(group) {
				img, err := e.load(group[k], w, h)
				if err != nil {
					return err
				}
				e.imgs[k] = img
			}
		}
		if e.collager != nil {
			e.collager.Encode(e.planar, e.imgs)
		} else {
			e.parity.Encode(e.planar, e.imgs[:len(group)])
		}
	default:
		img, err := e.load(group[0], w, h)
		if err != nil {
			return err
		}
		img = centreCrop(img, e.r.spec.Crop, w, h)
		if img.W == w && img.H == h {
			copy(e.planar, img.Pix)
		} else {
			models.ResizeInto(e.planar, w, h, 0, 0, w, h, img, nil)
		}
	}
	f.put(dst, e.planar)
	return nil
}

// run feeds items through the model in batches (padding the last batch of a
// fixed-batch model with zeros) and calls use with each item's output.
func (e *evaluator) run(items [][]int, f inputFormat, use func(i int, out []float32)) error {
	per := f.size()
	buf := make([]float32, e.batch*per)
	for lo := 0; lo < len(items); lo += e.batch {
		hi := min(lo+e.batch, len(items))
		n := hi - lo
		for i := lo; i < hi; i++ {
			if err := e.item(buf[(i-lo)*per:(i-lo+1)*per], items[i], f); err != nil {
				return err
			}
		}
		rows := n
		if e.r.batch > 0 {
			rows = e.r.batch
			clear(buf[n*per:])
		}
		shape := append([]int64(nil), e.r.shape...)
		shape[0] = int64(rows)
		out, oshape, err := e.s.Run(buf[:rows*per], shape)
		if err != nil {
			return fmt.Errorf("calibrate: %w", err)
		}
		if len(oshape) == 0 || oshape[0] != int64(rows) || len(out)%rows != 0 {
			return fmt.Errorf("calibrate: %s: output shape %v for a batch of %d", e.r.spec.Name, oshape, rows)
		}
		row := len(out) / rows
		for i := range n {
			use(lo+i, out[i*row:(i+1)*row])
		}
	}
	return nil
}

// rowStat is what scoring needs of one output row.
type rowStat struct {
	arg      int
	raw      float64 // the top value itself
	soft     float64 // its softmax probability
	probLike bool    // every value in [0, 1], summing to 1
	finite   bool
}

func statOf(v []float32) rowStat {
	s := rowStat{arg: models.Argmax(v), finite: true}
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			s.finite = false
		}
		sum += f
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	s.raw = float64(v[s.arg])
	s.soft, _ = models.Softmax(v)
	s.probLike = len(v) > 1 && lo >= -1e-6 && hi <= 1+1e-6 && math.Abs(sum-1) <= 1e-3
	return s
}

// outputKind decides whether rows are probabilities (declared, or detected
// when every row looks like one), and warns where a declaration disagrees
// with what the rows look like.
func (e *evaluator) outputKind(stats []rowStat, rep *Report) (probs bool, err error) {
	all := len(stats) > 0
	for _, s := range stats {
		if !s.finite {
			return false, fmt.Errorf("calibrate: %s: the model output NaN or infinite values: check the input normalisation (mean/std, range) and the model", e.r.spec.Name)
		}
		all = all && s.probLike
	}
	switch e.r.spec.Output {
	case OutputProbs:
		if !all {
			rep.Warnings = append(rep.Warnings, "output=probs was declared, but not every output row lies in [0, 1] and sums to 1: coverage takes the top value as the probability anyway")
		}
		return true, nil
	case OutputLogits:
		if all {
			rep.Warnings = append(rep.Warnings, "output=logits was declared, but every output row lies in [0, 1] and sums to 1: these look like probabilities, and coverage applies a softmax to them again (say output=probs)")
		}
		return false, nil
	}
	if all {
		rep.Notes = append(rep.Notes, "outputs are probabilities (every row in [0, 1], summing to 1): coverage uses them as they are, without another softmax")
	}
	return all, nil
}

func top(s rowStat, probs bool) float64 {
	if probs {
		return s.raw
	}
	return s.soft
}

// chanceWarning warns when accuracy is hardly above guessing.
func (e *evaluator) chanceWarning(acc float64, rep *Report) {
	chance := 1 / float64(e.r.classes)
	if e.r.classes >= 2 && acc < 2*chance {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("accuracy %.4f is near chance (1/%d = %.4f): check the labels (class map, --labels), the input normalisation (mean/std, range), the layout and, for a collage, the cell order",
			acc, e.r.classes, chance))
	}
}

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

// probeNormalisation reruns a probe of the held-out set with common input
// conventions other than the configured one, and warns when one of them
// scores far better: the sign of a missing or wrong mean/std or range.
func (e *evaluator) probeNormalisation(o Options, rep *Report) error {
	if len(e.probe) == 0 {
		return nil
	}
	base := e.r.in
	plain := base
	plain.scale, plain.mean, plain.std = 1, nil, nil
	type alt struct {
		what, flags string
		f           inputFormat
	}
	with := func(scale float32, mean, std float32, m3, s3 []float32) inputFormat {
		f := plain
		f.scale = scale
		if base.channels == 3 && m3 != nil {
			f.mean, f.std = m3, s3
		} else if mean != 0 || std != 1 {
			f.mean, f.std = fill(base.channels, mean), fill(base.channels, std)
		}
		return f
	}
	alts := []alt{
		{"pixels in [0, 1], no normalisation", "no mean/std, range=1", with(1, 0, 1, nil, nil)},
		{"(x - 0.5) / 0.5", "mean=0.5,std=0.5", with(1, 0.5, 0.5, nil, nil)},
		{"pixels in [0, 255]", "range=255", with(255, 0, 1, nil, nil)},
	}
	if base.channels == 3 {
		alts = append(alts, alt{"ImageNet mean/std", "mean=0.485,0.456,0.406,std=0.229,0.224,0.225",
			with(1, 0, 1, []float32{0.485, 0.456, 0.406}, []float32{0.229, 0.224, 0.225})})
	} else {
		alts = append(alts, alt{"MNIST mean/std", "mean=0.1307,std=0.3081", with(1, 0.1307, 0.3081, nil, nil)})
	}
	score := func(f inputFormat) (float64, error) {
		correct, total := 0, 0
		g := e.r.spec.Grid
		err := e.run(e.probe, f, func(i int, out []float32) {
			grp := e.probe[i]
			if e.collager == nil {
				total++
				if models.Argmax(out) == e.data.Label(grp[0]) {
					correct++
				}
				return
			}
			C := e.r.classes
			for j := range g * g {
				total++
				if models.Argmax(out[j*C:(j+1)*C]) == e.data.Label(grp[cellImage(j, g, e.r.spec.Cells == CellsColMajor)]) {
					correct++
				}
			}
		})
		return float64(correct) / float64(max(total, 1)), err
	}
	mine, err := score(base)
	if err != nil {
		return err
	}
	best, bestAcc := -1, mine
	for i, a := range alts {
		if sameFormat(a.f, base) {
			continue
		}
		acc, err := score(a.f)
		if err != nil {
			return err
		}
		if acc > bestAcc {
			best, bestAcc = i, acc
		}
	}
	if best >= 0 && bestAcc >= mine+0.15 && bestAcc >= 1.5*mine {
		what := "items"
		if e.collager != nil {
			what = "collages"
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("on a probe of %d %s, accuracy is %.3f as configured (%s) but %.3f with %s (%s): the input normalisation looks missing or wrong",
			len(e.probe), what, mine, base.describe(), bestAcc, alts[best].what, alts[best].flags))
	}
	return nil
}

func fill(n int, v float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func sameFormat(a, b inputFormat) bool {
	eq := func(x, y []float32, def float32) bool {
		for i := range max(len(x), len(y)) {
			xv, yv := def, def
			if i < len(x) {
				xv = x[i]
			}
			if i < len(y) {
				yv = y[i]
			}
			if xv != yv {
				return false
			}
		}
		return true
	}
	return a.scale == b.scale && eq(a.mean, b.mean, 0) && eq(a.std, b.std, 1)
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
