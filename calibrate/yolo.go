package calibrate

import (
	"fmt"
	"math"
)

// Detector heads a Collage-CNN may have instead of a per-cell output.
const (
	HeadYOLO   = "yolo"   // YOLOv5 or YOLOv8 layout, told apart by the output shape
	HeadYOLOv5 = "yolov5" // [N, boxes, 5 + C]: cx, cy, w, h, objectness, C class scores
	HeadYOLOv8 = "yolov8" // [N, 4 + C, boxes]: cx, cy, w, h, C class scores
)

// yoloLayout settles the head's layout from the output shape [N, a, b] and
// returns the class count. "yolo" picks v8 when a is at most a quarter of
// b (its exports are [N, 84, 8400]), v5 when b is at most a quarter of a
// ([N, 25200, 85]), and otherwise the one whose class count matches the
// class map (known > 0); failing that it refuses to guess.
func yoloLayout(head string, out []int64, known int) (string, int, error) {
	if len(out) != 3 {
		return "", 0, fmt.Errorf("output %v: a YOLO head outputs [N, boxes, 5+C] (v5) or [N, 4+C, boxes] (v8)", out)
	}
	if head == HeadYOLO {
		switch {
		case 4*out[1] <= out[2]:
			head = HeadYOLOv8
		case 4*out[2] <= out[1]:
			head = HeadYOLOv5
		case known > 0 && int(out[2])-5 == known:
			head = HeadYOLOv5
		case known > 0 && int(out[1])-4 == known:
			head = HeadYOLOv8
		default:
			return "", 0, fmt.Errorf("output %v could be YOLOv5's [N, boxes, 5+C] or YOLOv8's [N, 4+C, boxes]: say head=yolov5 or head=yolov8", out)
		}
	}
	c := int(out[2]) - 5
	if head == HeadYOLOv8 {
		c = int(out[1]) - 4
	}
	if c < 1 {
		return "", 0, fmt.Errorf("output %v leaves no class scores in the %s layout", out, head)
	}
	return head, c, nil
}

// cellCall is one collage cell's answer from a detector: the class of the
// highest-scoring box whose centre is in the cell, and its score; ok is
// false when no box is centred there.
type cellCall struct {
	class int
	score float64
	ok    bool
}

// decodeYOLO assigns an item's boxes to the g x g cells of a side x side
// collage by their centre, as the paper's decoder does, keeping per cell
// the box with the highest score (objectness times class score for v5, the
// class score for v8). Cell i is at row i/g, column i%g; cell bounds are
// those of models.Collager (i*side/g).
func decodeYOLO(out []float32, head string, classes, g, side int, calls []cellCall) {
	for i := range calls {
		calls[i] = cellCall{}
	}
	k := classes + 4
	if head == HeadYOLOv5 {
		k++
	}
	boxes := len(out) / k
	at := func(b, f int) float64 {
		if head == HeadYOLOv8 {
			return float64(out[f*boxes+b])
		}
		return float64(out[b*k+f])
	}
	first := 4
	if head == HeadYOLOv5 {
		first = 5
	}
	for b := range boxes {
		cx, cy := at(b, 0), at(b, 1)
		if !(cx >= 0 && cx < float64(side) && cy >= 0 && cy < float64(side)) {
			continue
		}
		best, score := 0, math.Inf(-1)
		for c := range classes {
			if v := at(b, first+c); v > score {
				best, score = c, v
			}
		}
		if head == HeadYOLOv5 {
			score *= at(b, 4)
		}
		// The cell whose bounds [i*side/g, (i+1)*side/g) hold the centre.
		col, row := cellOf(cx, g, side), cellOf(cy, g, side)
		cell := &calls[row*g+col]
		if !cell.ok || score > cell.score {
			*cell = cellCall{class: best, score: score, ok: true}
		}
	}
}

func cellOf(x float64, g, side int) int {
	i := min(int(x*float64(g)/float64(side)), g-1)
	for i > 0 && x < float64(i*side/g) {
		i--
	}
	for i < g-1 && x >= float64((i+1)*side/g) {
		i++
	}
	return i
}
