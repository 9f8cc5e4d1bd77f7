package models

import (
	"math/rand/v2"
)

func headAccuracy(h *Head, x [][]float32, y []int) float64 {
	out := make([]float32, h.Classes)
	ok := 0
	for i, v := range x {
		h.Apply(v, out)
		if Argmax(out) == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(x))
}

const untrainedNote = "untrained (zero head): for timing only"

// trainSingle trains the S-CNN head on train (nil: untrained, zero head) and
// returns it with its training accuracy and the training images' features.
func (o BuildOptions) trainSingle(train *Dataset) (*Head, float64, [][]float32, error) {
	a := o.Arch
	if train == nil {
		return zeroHead(a), 0, nil, nil
	}
	feat, err := Open("scnn features", SingleGraph(a, o.Seed, nil).Marshal(ModelInfo{Producer: "collagesim"}), o.Session)
	if err != nil {
		return nil, 0, nil, err
	}
	x, err := ImageOutputs(feat, train.Images, a.Side, 32)
	feat.Close()
	if err != nil {
		return nil, 0, nil, err
	}
	head, err := TrainHead(x, train.Labels, len(o.classes()), 1e-3)
	if err != nil {
		return nil, 0, nil, err
	}
	return head, headAccuracy(head, x, train.Labels), x, nil
}

// trainCollage trains a Collage-CNN head on n collages of training images
// (nil: untrained, zero head) and returns it with its training accuracy and
// the number of training cells.
func (o BuildOptions) trainCollage(train *Dataset, c *Collager, n int) (*Head, float64, int, error) {
	a, g := o.Arch, c.Grid
	if train == nil {
		return zeroHead(a), 0, 0, nil
	}
	groups := RandomGroups(rand.New(rand.NewPCG(o.Seed, uint64(1000+g))), train.Len(), g*g, n)
	feat, err := Open(CollageName(g)+" features", CollageGraph(a, g, o.Seed, nil).Marshal(ModelInfo{Producer: "collagesim"}), o.Session)
	if err != nil {
		return nil, 0, 0, err
	}
	out, err := CollageOutputs(feat, c, train.Images, groups, 8)
	feat.Close()
	if err != nil {
		return nil, 0, 0, err
	}
	var cx [][]float32
	var cy []int
	for i, grp := range groups {
		for cell, img := range grp {
			cx = append(cx, out[i][cell])
			cy = append(cy, train.Labels[img])
		}
	}
	head, err := TrainHead(cx, cy, len(o.classes()), 1e-3)
	if err != nil {
		return nil, 0, 0, err
	}
	return head, headAccuracy(head, cx, cy), len(cx), nil
}

func zeroHead(a Arch) *Head {
	k := len(SynthClasses)
	return &Head{Classes: k, Features: a.Features(), W: make([]float32, k*a.Features()), B: make([]float32, k)}
}
