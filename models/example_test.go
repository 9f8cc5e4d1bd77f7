package models_test

import (
	"fmt"

	"github.com/collagesim/collagesim/models"
)

// A 3x3 collage of 32x32 images in 20-pixel cells, the bundled small
// Collage-CNN's input for grid 3; the last two cells stay empty.
func ExampleCollager() {
	a := models.Presets["small"]
	c := &models.Collager{Grid: 3, Cell: a.CellSide(3)}
	imgs := models.Synthetic(1, 7, a.Side).Images
	input := make([]float32, 3*c.Side()*c.Side())
	c.Encode(input, imgs)
	fmt.Println(c.Side(), len(input))
	// Output: 60 10800
}

// Building a model is pure Go and deterministic; running it needs ONNX
// Runtime (models.InitRuntime).
func ExampleSingleGraph() {
	a, _ := models.ParseArch("small,side=16,stem=8,widths=8/16,blocks=1/1")
	onnx := models.MarshalModel(models.SingleGraph(a, 1, nil), nil)
	fmt.Println(a.Features(), len(onnx) > 0)
	// Output: 32 true
}
