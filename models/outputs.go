package models

import (
	"fmt"
)

// ImageOutputs runs a single-image model on images (resized to side) in
// batches and returns each image's output row (logits or features).
func ImageOutputs(s *Session, images []Image, side, batch int) ([][]float32, error) {
	var out [][]float32
	plane := 3 * side * side
	buf := make([]float32, batch*plane)
	for lo := 0; lo < len(images); lo += batch {
		hi := min(lo+batch, len(images))
		n := hi - lo
		for i := lo; i < hi; i++ {
			img := images[i]
			ResizeInto(buf[(i-lo)*plane:(i-lo+1)*plane], side, side, 0, 0, side, side, img, nil)
		}
		res, shape, err := s.Run(buf[:n*plane], []int64{int64(n), 3, int64(side), int64(side)})
		if err != nil {
			return nil, err
		}
		if len(shape) < 2 || shape[0] != int64(n) {
			return nil, fmt.Errorf("models: %s: output shape %v, want [%d, classes]", s.Name, shape, n)
		}
		row := len(res) / n
		for i := range n {
			out = append(out, res[i*row:(i+1)*row])
		}
	}
	return out, nil
}

// CollageOutputs encodes each group of images (indices into images) as a
// collage, runs the Collage-CNN in batches, and returns per collage the
// per-cell output rows ([cell][classes or features]).
func CollageOutputs(s *Session, c *Collager, images []Image, groups [][]int, batch int) ([][][]float32, error) {
	side := c.Side()
	plane := 3 * side * side
	cells := c.Grid * c.Grid
	buf := make([]float32, batch*plane)
	var out [][][]float32
	tiles := make([]Image, cells)
	for lo := 0; lo < len(groups); lo += batch {
		hi := min(lo+batch, len(groups))
		n := hi - lo
		for i := lo; i < hi; i++ {
			for k := range tiles {
				tiles[k] = Image{}
				if k < len(groups[i]) && groups[i][k] >= 0 {
					tiles[k] = images[groups[i][k]]
				}
			}
			c.Encode(buf[(i-lo)*plane:(i-lo+1)*plane], tiles)
		}
		res, shape, err := s.Run(buf[:n*plane], []int64{int64(n), 3, int64(side), int64(side)})
		if err != nil {
			return nil, err
		}
		if len(shape) != 3 || shape[0] != int64(n) || shape[1] != int64(cells) {
			return nil, fmt.Errorf("models: %s: output shape %v, want [%d, %d, classes]", s.Name, shape, n, cells)
		}
		row := int(shape[2])
		for i := range n {
			per := make([][]float32, cells)
			for k := range cells {
				per[k] = res[(i*cells+k)*row : (i*cells+k+1)*row]
			}
			out = append(out, per)
		}
	}
	return out, nil
}
