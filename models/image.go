package models

import (
	"fmt"
	"math"
	"sync"
)

// Image is an RGB image as float32 planes (channel-major, then rows), values
// in [0, 1]: the layout of one item of an ONNX [N, 3, H, W] input.
type Image struct {
	W, H int
	Pix  []float32 // len 3*W*H
}

// NewImage returns a black image.
func NewImage(w, h int) Image { return Image{W: w, H: h, Pix: make([]float32, 3*w*h)} }

// Dataset is a labelled set of images.
type Dataset struct {
	Name    string
	Classes []string
	Images  []Image
	Labels  []int
}

// Len is the number of images.
func (d *Dataset) Len() int { return len(d.Images) }

// resampler holds separable resampling weights for one (from, to) size pair.
// Downscaling averages over the source pixels an output pixel covers
// (triangle filter widened by the scale), so small cells do not alias;
// upscaling is bilinear. Every output pixel has the same number of taps:
// its weights sit in a window of taps source pixels starting at start[o],
// padded with zero weights where its own span is shorter or had to move
// inside the image (a zero weight adds nothing, so sums are unchanged).
type resampler struct {
	taps  int
	start []int
	w     []float32 // taps per output pixel
}

var resamplers sync.Map // [2]int -> *resampler

func resamplerFor(from, to int) *resampler {
	key := [2]int{from, to}
	if r, ok := resamplers.Load(key); ok {
		return r.(*resampler)
	}
	scale := float64(from) / float64(to)
	support := 1.0
	if scale > 1 {
		support = scale
	}
	los, rows := make([]int, to), make([][]float32, to)
	taps := 1
	for o := range to {
		center := (float64(o)+0.5)*scale - 0.5
		lo := int(math.Floor(center - support))
		hi := int(math.Ceil(center + support))
		lo, hi = max(lo, 0), min(hi, from-1)
		ws := make([]float32, 0, hi-lo+1)
		sum := 0.0
		for i := lo; i <= hi; i++ {
			w := 1 - math.Abs(float64(i)-center)/support
			if w < 0 {
				w = 0
			}
			ws = append(ws, float32(w))
			sum += w
		}
		for i := range ws {
			ws[i] /= float32(sum)
		}
		los[o], rows[o] = lo, ws
		taps = max(taps, len(ws))
	}
	r := &resampler{taps: taps, start: make([]int, to), w: make([]float32, to*taps)}
	for o, ws := range rows {
		// The window [start, start+taps) holds [lo, lo+len(ws)) and stays
		// inside [0, from); leading pads come first, so the sum meets its
		// zero terms before its first source pixel (0 + 0 is still 0).
		start := min(los[o], from-taps)
		r.start[o] = start
		copy(r.w[o*taps+los[o]-start:], ws)
	}
	resamplers.Store(key, r)
	return r
}

// ResizeInto resamples src into a w x h region of dst, a planar RGB buffer of
// dstW x dstH pixels, with the region's top-left corner at (x0, y0). tmp is
// scratch space of at least 3*src.H*w floats (nil: allocated).
func ResizeInto(dst []float32, dstW, dstH, x0, y0, w, h int, src Image, tmp []float32) {
	if x0 < 0 || y0 < 0 || x0+w > dstW || y0+h > dstH || len(dst) < 3*dstW*dstH {
		panic(fmt.Sprintf("models: resize region %dx%d at (%d,%d) outside %dx%d", w, h, x0, y0, dstW, dstH))
	}
	if len(tmp) < 3*src.H*w {
		tmp = make([]float32, 3*src.H*w)
	}
	rx, ry := resamplerFor(src.W, w), resamplerFor(src.H, h)
	// Horizontal pass: src (src.W x src.H) -> tmp (w x src.H).
	taps := rx.taps
	for c := range 3 {
		for y := range src.H {
			row := src.Pix[(c*src.H+y)*src.W:][:src.W]
			out := tmp[(c*src.H+y)*w:][:w]
			for x := range out {
				ws := rx.w[x*taps:][:taps]
				in := row[rx.start[x]:][:taps]
				s := float32(0)
				for k, wt := range ws {
					s += wt * in[k]
				}
				out[x] = s
			}
		}
	}
	// Vertical pass: tmp -> dst region, source rows taken two at a time
	// (the same sums in the same order as one row at a time from 0).
	taps = ry.taps
	for c := range 3 {
		plane := tmp[c*src.H*w:]
		for y := range h {
			out := dst[(c*dstH+y0+y)*dstW+x0:][:w]
			ws := ry.w[y*taps:][:taps]
			first := ry.start[y]
			k := 0
			if taps >= 2 {
				w0, w1 := ws[0], ws[1]
				a, b := plane[first*w:][:len(out)], plane[(first+1)*w:][:len(out)]
				for x := range out {
					// The conversion rounds the first product on its own,
					// as 0 + w0*a would: no fused multiply-add may merge it.
					out[x] = float32(w0*a[x]) + w1*b[x]
				}
				k = 2
			} else {
				clear(out)
			}
			for ; k+1 < taps; k += 2 {
				w0, w1 := ws[k], ws[k+1]
				a, b := plane[(first+k)*w:][:len(out)], plane[(first+k+1)*w:][:len(out)]
				for x := range out {
					out[x] = out[x] + w0*a[x] + w1*b[x]
				}
			}
			if k < taps {
				wt := ws[k]
				a := plane[(first+k)*w:][:len(out)]
				for x := range out {
					out[x] += wt * a[x]
				}
			}
		}
	}
}

// Resize returns src resampled to w x h.
func Resize(src Image, w, h int) Image {
	if src.W == w && src.H == h {
		return src
	}
	dst := NewImage(w, h)
	ResizeInto(dst.Pix, w, h, 0, 0, w, h, src, nil)
	return dst
}

// Collager builds g x g collages of cell x cell pixels each into an ONNX input
// buffer, as the load balancer does before sending a group to the
// Collage-CNN. It keeps its scratch space, so encoding does not allocate.
type Collager struct {
	Grid, Cell int
	// Size, if not 0, is the collage's side when it is not a multiple of
	// Grid (a detector's 416 pixels for 3x3): cell i spans pixels
	// i*Size/Grid to (i+1)*Size/Grid, so cells differ by a pixel at most.
	Size int
	tmp  []float32
}

// Side is the collage's side in pixels.
func (c *Collager) Side() int {
	if c.Size > 0 {
		return c.Size
	}
	return c.Grid * c.Cell
}

// bounds is where cell row or column i starts and ends.
func (c *Collager) bounds(i int) (int, int) {
	if c.Size > 0 {
		return i * c.Size / c.Grid, (i + 1) * c.Size / c.Grid
	}
	return i * c.Cell, (i + 1) * c.Cell
}

// Encode writes the collage of images (row-major cells; a nil Pix or a
// missing image leaves its cell empty, i.e. black) into dst, which holds
// 3*Side*Side floats. Images are resized to the cell size.
func (c *Collager) Encode(dst []float32, images []Image) {
	side := c.Side()
	if len(dst) != 3*side*side {
		panic(fmt.Sprintf("models: collage buffer has %d values, want %d", len(dst), 3*side*side))
	}
	if len(images) > c.Grid*c.Grid {
		panic(fmt.Sprintf("models: %d images for a %dx%d collage", len(images), c.Grid, c.Grid))
	}
	for i := range c.Grid * c.Grid {
		x0, x1 := c.bounds(i % c.Grid)
		y0, y1 := c.bounds(i / c.Grid)
		if i >= len(images) || images[i].Pix == nil {
			for ch := range 3 {
				for y := y0; y < y1; y++ {
					clear(dst[(ch*side+y)*side+x0:][:x1-x0])
				}
			}
			continue
		}
		img := images[i]
		if need := 3 * img.H * (x1 - x0); len(c.tmp) < need {
			c.tmp = make([]float32, need)
		}
		ResizeInto(dst, side, side, x0, y0, x1-x0, y1-y0, img, c.tmp)
	}
}
