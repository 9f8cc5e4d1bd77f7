package models

import (
	"math"
	"math/rand/v2"
)

// SynthClasses are the classes of the procedural image set: five solid
// shapes and five textures, each drawn at a random position, size, rotation
// and colour over a random shaded background with pixel noise. Colour carries
// no class information, so a classifier must tell shape and texture apart.
var SynthClasses = []string{
	"disc", "square", "triangle", "cross", "ring",
	"h-stripes", "v-stripes", "checker", "diagonal", "dots",
}

// Synthetic returns n labelled images of side x side pixels. Image i depends
// only on (seed, i), and labels cycle through the classes, so every class has
// n/10 images (plus one for the first n%10 classes).
func Synthetic(seed uint64, n, side int) *Dataset {
	d := &Dataset{Name: "synthetic", Classes: SynthClasses, Images: make([]Image, n), Labels: make([]int, n)}
	for i := range n {
		label := i % len(SynthClasses)
		d.Images[i] = SynthImage(seed, uint64(i), label, side)
		d.Labels[i] = label
	}
	return d
}

// SynthImage draws one image of the given class from stream (seed, index).
func SynthImage(seed, index uint64, class, side int) Image {
	r := rand.New(rand.NewPCG(seed, index))
	img := NewImage(side, side)

	bg := randColor(r)
	fg := farColor(r, bg)
	fg2 := farColor(r, fg)
	gradAngle := r.Float64() * 2 * math.Pi
	gradAmp := 0.1 + 0.15*r.Float64()
	noise := 0.02 + 0.08*r.Float64()

	cx, cy := 0.3+0.4*r.Float64(), 0.3+0.4*r.Float64()
	radius := 0.18 + 0.17*r.Float64()
	rot := (r.Float64()*2 - 1) * math.Pi / 9 // +-20 degrees
	period := 0.14 + 0.12*r.Float64()        // texture period, share of the side
	if class == 8 {                          // diagonal: 45 degrees either way
		rot += math.Pi / 4
		if r.IntN(2) == 0 {
			rot += math.Pi / 2
		}
	}
	cosR, sinR := math.Cos(rot), math.Sin(rot)

	// inside reports the object's colour weight at (u, v) in [0,1]^2:
	// -1 outside the object, 0 for fg, 1 for fg2 (textures alternate).
	inside := func(u, v float64) float64 {
		du, dv := u-cx, v-cy
		x := (du*cosR + dv*sinR) / radius
		y := (-du*sinR + dv*cosR) / radius
		switch class {
		case 0: // disc
			if x*x+y*y <= 1 {
				return 0
			}
		case 1: // square
			if math.Abs(x) <= 0.8 && math.Abs(y) <= 0.8 {
				return 0
			}
		case 2: // triangle, apex up
			if y <= 0.8 && y >= -0.9 && math.Abs(x) <= (0.8-y)*0.55 {
				return 0
			}
		case 3: // cross
			if (math.Abs(x) <= 0.3 && math.Abs(y) <= 1) || (math.Abs(y) <= 0.3 && math.Abs(x) <= 1) {
				return 0
			}
		case 4: // ring
			if q := x*x + y*y; q <= 1 && q >= 0.35 {
				return 0
			}
		default: // textures fill a rotated square patch
			if math.Abs(x) > 1.3 || math.Abs(y) > 1.3 {
				return -1
			}
			px, py := x*radius/period, y*radius/period
			var on bool
			switch class {
			case 5: // horizontal stripes
				on = math.Mod(math.Floor(py), 2) == 0
			case 6: // vertical stripes
				on = math.Mod(math.Floor(px), 2) == 0
			case 7: // checker
				on = math.Mod(math.Floor(px)+math.Floor(py), 2) == 0
			case 8: // diagonal stripes (the rotation set them at 45 degrees)
				on = math.Mod(math.Floor(py), 2) == 0
			case 9: // dots on a lattice
				fx, fy := px-math.Round(px), py-math.Round(py)
				on = fx*fx+fy*fy <= 0.09
			}
			if on {
				return 0
			}
			return 1
		}
		return -1
	}

	const ss = 2 // supersampling per axis, for soft edges
	plane := side * side
	for yy := range side {
		for xx := range side {
			var acc [3]float64
			for sy := range ss {
				for sx := range ss {
					u := (float64(xx) + (float64(sx)+0.5)/ss) / float64(side)
					v := (float64(yy) + (float64(sy)+0.5)/ss) / float64(side)
					var c [3]float64
					switch w := inside(u, v); w {
					case 0:
						c = fg
					case 1:
						c = fg2
					default:
						shade := gradAmp * ((u-0.5)*math.Cos(gradAngle) + (v-0.5)*math.Sin(gradAngle))
						c = [3]float64{bg[0] + shade, bg[1] + shade, bg[2] + shade}
					}
					for k := range 3 {
						acc[k] += c[k]
					}
				}
			}
			for k := range 3 {
				v := acc[k]/(ss*ss) + noise*r.NormFloat64()
				img.Pix[k*plane+yy*side+xx] = float32(min(max(v, 0), 1))
			}
		}
	}
	return img
}

func randColor(r *rand.Rand) [3]float64 {
	return [3]float64{r.Float64(), r.Float64(), r.Float64()}
}

// farColor draws a colour at least 0.45 away (Euclidean, RGB in [0,1]) from c,
// so objects stand out from what they lie on.
func farColor(r *rand.Rand, c [3]float64) [3]float64 {
	for {
		d := randColor(r)
		dr, dg, db := d[0]-c[0], d[1]-c[1], d[2]-c[2]
		if dr*dr+dg*dg+db*db >= 0.45*0.45 {
			return d
		}
	}
}
