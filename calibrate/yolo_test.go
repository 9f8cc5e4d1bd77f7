package calibrate

import (
	"strings"
	"testing"

	"github.com/collagesim/collagesim/models"
)

// Boxes of a 416-pixel 3x3 collage (cells 138, 139, 139 pixels) in both
// export layouts: each cell takes its best-scoring box by centre; a cell
// with no box is not answered; a box centred outside the image is ignored.
func TestDecodeYOLO(t *testing.T) {
	const g, side, classes = 3, 416, 4
	type box struct {
		cx, cy, obj float32
		scores      [classes]float32
	}
	boxes := []box{
		{69, 69, 1, [classes]float32{0.9, 0, 0, 0}},     // cell 0: class 0
		{100, 50, 1, [classes]float32{0, 0.3, 0, 0}},    // cell 0, weaker
		{138, 10, 0.5, [classes]float32{0, 0, 0.8, 0}},  // x = 138 is the first pixel of column 1: cell 1, score 0.4
		{137.9, 300, 1, [classes]float32{0, 0, 0, 0.7}}, // column 0, row 2 (277 <= y): cell 6
		{300, 200, 0.2, [classes]float32{0.1, 0, 0, 0}}, // cell 5 (row 1: 138 <= 200 < 277), score 0.02
		{500, 10, 1, [classes]float32{1, 0, 0, 0}},      // outside: ignored
	}
	want := map[int]cellCall{0: {0, 0.9, true}, 1: {2, 0.4, true}, 6: {3, 0.7, true}, 5: {0, 0.02, true}}
	for _, head := range []string{HeadYOLOv5, HeadYOLOv8} {
		k := 4 + classes
		if head == HeadYOLOv5 {
			k++
		}
		out := make([]float32, len(boxes)*k)
		set := func(b, f int, v float32) {
			if head == HeadYOLOv8 {
				out[f*len(boxes)+b] = v
			} else {
				out[b*k+f] = v
			}
		}
		for b, bx := range boxes {
			set(b, 0, bx.cx)
			set(b, 1, bx.cy)
			set(b, 2, 20)
			set(b, 3, 20)
			first := 4
			s := bx.scores
			if head == HeadYOLOv5 {
				set(b, 4, bx.obj)
				first = 5
			} else {
				for c := range s {
					s[c] *= bx.obj // v8 has no objectness: the score is the class score
				}
			}
			for c, v := range s {
				set(b, first+c, v)
			}
		}
		calls := make([]cellCall, g*g)
		decodeYOLO(out, head, classes, g, side, calls)
		for i, c := range calls {
			w := want[i]
			if c.ok != w.ok || c.class != w.class || (c.ok && abs(c.score-w.score) > 1e-6) {
				t.Errorf("%s cell %d: %+v, want %+v", head, i, c, w)
			}
		}
	}
	// The layout from the shape: v8 exports are [N, 4+C, boxes], v5 [N, boxes, 5+C].
	for _, tc := range []struct {
		out   []int64
		head  string
		c     int
		known int
	}{{[]int64{1, 84, 8400}, HeadYOLOv8, 80, 0}, {[]int64{1, 25200, 85}, HeadYOLOv5, 80, 0}, {[]int64{1, 10, 15}, HeadYOLOv5, 10, 10}, {[]int64{1, 14, 10}, HeadYOLOv8, 10, 10}} {
		head, c, err := yoloLayout(HeadYOLO, tc.out, tc.known)
		if err != nil || head != tc.head || c != tc.c {
			t.Errorf("%v: %s %d %v", tc.out, head, c, err)
		}
	}
	if _, _, err := yoloLayout(HeadYOLOv8, []int64{1, 4, 100}, 0); err == nil {
		t.Error("no class scores, no error")
	}
	if _, _, err := yoloLayout(HeadYOLO, []int64{1, 10, 15}, 0); err == nil || !strings.Contains(err.Error(), "say head=yolov5 or head=yolov8") {
		t.Errorf("ambiguous shape: %v", err)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// A 416-pixel 3x3 collage: cells 138, 139 and 139 pixels, matching the
// decoder's cell bounds.
func TestCollagerSize(t *testing.T) {
	c := &models.Collager{Grid: 3, Cell: 138, Size: 416}
	img := models.NewImage(4, 4)
	for i := range img.Pix {
		img.Pix[i] = 1
	}
	dst := make([]float32, 3*416*416)
	c.Encode(dst, []models.Image{{}, {}, {}, {}, {}, {}, {}, {}, img}) // bottom-right cell only
	for _, p := range []struct {
		x, y int
		v    float32
	}{{276, 276, 0}, {277, 277, 1}, {415, 415, 1}, {277, 276, 0}} {
		if got := dst[p.y*416+p.x]; got != p.v {
			t.Errorf("pixel (%d, %d) = %g, want %g", p.x, p.y, got, p.v)
		}
		if cellOf(float64(p.x), 3, 416) != map[bool]int{true: 2, false: 1}[p.x >= 277] {
			t.Errorf("x %d in column %d", p.x, cellOf(float64(p.x), 3, 416))
		}
	}
}

func TestCentreCrop(t *testing.T) {
	img := models.NewImage(300, 200)
	for i := range img.Pix {
		img.Pix[i] = float32(i % 300) // column index in every plane
	}
	c := centreCrop(img, 0.875, 224, 224)
	// 0.875 of the shorter side (200) is 175, centred: columns 62 to 236.
	if c.W != 175 || c.H != 175 || c.Pix[0] != 62 || c.Pix[174] != 236 {
		t.Errorf("%dx%d from column %g to %g", c.W, c.H, c.Pix[0], c.Pix[174])
	}
	if same := centreCrop(img, 0, 224, 224); same.W != 300 {
		t.Error("share 0 cropped")
	}
}
