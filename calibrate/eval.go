package calibrate

import (
	"fmt"
	"math"

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
