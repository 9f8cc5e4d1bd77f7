package calibrate

import (
	"fmt"

	"github.com/collagesim/collagesim/models"
)

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
