package models

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// Parity models (ParM, Kosaian et al., SOSP 2019): for every group of k
// requests the load balancer encodes the k images into one parity input, and
// a parity model is trained so that its output approximates the sum of the
// S-CNN's outputs on the k images. When one S-CNN answer is missing, it is
// reconstructed as the parity output minus the k-1 answers that did arrive.

// ParityBaseName is the profile name of the parity model built for
// DefaultParityK; the others are "parity-k<k>".
const ParityBaseName = "parity"

// DefaultParityK is the group size of the bundled default scenario's parity
// strategy. Its parity model gets the plain name "parity", the name of the
// paper-cloud profile's parity model, which takes its accuracy from it.
const DefaultParityK = 9

// ParityName is the profile name of the parity model for groups of k.
func ParityName(k int) string {
	if k == DefaultParityK {
		return ParityBaseName
	}
	return "parity-k" + strconv.Itoa(k)
}

// Metadata a parity model carries beyond the common keys.
const (
	MetaParityK      = "collagesim.parity_k"      // k, images per parity group
	MetaParityTarget = "collagesim.parity_target" // what the output approximates the sum of
)

// ParityTarget says what the bundled parity models' output approximates: the
// sum over the group of the S-CNN's logits, its output. Reconstruction
// subtracts the other images' logits. (Fitted to the sum of softmax
// probabilities instead, the same heads reconstruct worse: measured on the
// small preset, degraded-mode top-1 0.47/0.32/0.20 against 0.60/0.40/0.25
// with logits for k = 2/4/9.)
const ParityTarget = "logits"

// OutputParity is the parity model's output: [N, classes].
const OutputParity = "parity"

// ParityEncoder is ParM's addition encoder, scaled: the parity input is the
// pixel-wise mean of the k images (each resized to Side), i.e. their sum
// divided by k, which keeps pixels in [0, 1] like the S-CNN's input. It keeps
// its scratch space, so encoding does not allocate.
type ParityEncoder struct {
	K, Side int
	tmp     []float32
	img     []float32
}

// Encode writes the parity input of images (at most K; missing ones count as
// black) into dst, which holds 3*Side*Side floats.
func (e *ParityEncoder) Encode(dst []float32, images []Image) {
	n := 3 * e.Side * e.Side
	if len(dst) != n {
		panic(fmt.Sprintf("models: parity buffer has %d values, want %d", len(dst), n))
	}
	if len(images) > e.K {
		panic(fmt.Sprintf("models: %d images for a parity group of %d", len(images), e.K))
	}
	for i := range dst {
		dst[i] = 0
	}
	scale := 1 / float32(e.K)
	for _, img := range images {
		if img.Pix == nil {
			continue
		}
		pix := img.Pix
		if img.W != e.Side || img.H != e.Side {
			if len(e.img) < n {
				e.img = make([]float32, n)
			}
			if need := 3 * img.H * e.Side; len(e.tmp) < need {
				e.tmp = make([]float32, need)
			}
			ResizeInto(e.img[:n], e.Side, e.Side, 0, 0, e.Side, e.Side, img, e.tmp)
			pix = e.img[:n]
		}
		for j, v := range pix[:n] {
			dst[j] += v * scale
		}
	}
}

// Reconstruct writes parity minus the sum of others into dst: the decoded
// output of the group's missing member.
func Reconstruct(dst, parity []float32, others [][]float32) {
	copy(dst, parity)
	for _, o := range others {
		for j, v := range o {
			dst[j] -= v
		}
	}
}

// ParityGraph builds the parity model for groups of k: the S-CNN's backbone
// (same architecture and weights seed) on the encoded input, global average
// pooling and, with a head, a linear layer whose output approximates the sum
// of the S-CNN's logits of the k images ([N, classes]). Without a
// head the output is the pooled feature vector.
func ParityGraph(a Arch, k int, seed uint64, head *Head) *Graph {
	return pooledGraph(ParityName(k), OutputParity, a, seed, head)
}

// ParityOutputs encodes each group of images (indices into images) with enc,
// runs the parity model (or its feature graph) in batches and returns one
// output row per group.
func ParityOutputs(s *Session, enc *ParityEncoder, images []Image, groups [][]int, batch int) ([][]float32, error) {
	side := enc.Side
	plane := 3 * side * side
	buf := make([]float32, batch*plane)
	var out [][]float32
	var grp []Image
	for lo := 0; lo < len(groups); lo += batch {
		hi := min(lo+batch, len(groups))
		n := hi - lo
		for i := lo; i < hi; i++ {
			grp = grp[:0]
			for _, j := range groups[i] {
				grp = append(grp, images[j])
			}
			enc.Encode(buf[(i-lo)*plane:(i-lo+1)*plane], grp)
		}
		res, shape, err := s.Run(buf[:n*plane], []int64{int64(n), 3, int64(side), int64(side)})
		if err != nil {
			return nil, err
		}
		if len(shape) != 2 || shape[0] != int64(n) {
			return nil, fmt.Errorf("models: %s: output shape %v, want [%d, classes]", s.Name, shape, n)
		}
		row := len(res) / n
		for i := range n {
			out = append(out, res[i*row:(i+1)*row])
		}
	}
	return out, nil
}

// DegradedAccuracy scores reconstruction: for each group and each member i,
// the decoded output parity[g] - sum_{j != i} single[j] is right when its
// argmax is labels[i]. single holds the S-CNN outputs in the space the parity
// model was trained on (logits for the bundled models). It
// returns the number of right reconstructions and of reconstructions.
func DegradedAccuracy(parity [][]float32, single [][]float32, labels []int, groups [][]int) (correct, total int) {
	var dec []float32
	var others [][]float32
	for gi, grp := range groups {
		p := parity[gi]
		if len(dec) < len(p) {
			dec = make([]float32, len(p))
		}
		for i, img := range grp {
			others = others[:0]
			for j, o := range grp {
				if j != i {
					others = append(others, single[o])
				}
			}
			Reconstruct(dec[:len(p)], p, others)
			total++
			if Argmax(dec[:len(p)]) == labels[img] {
				correct++
			}
		}
	}
	return correct, total
}

// trainParity fits the parity head for groups of k by ridge least squares:
// pooled backbone features of the encoded group -> sum of the S-CNN's logits
// (single, per training image). It returns the head and its degraded-
// mode accuracy on the training groups.
func (o BuildOptions) trainParity(train *Dataset, single [][]float32, k, n int) (*Head, float64, error) {
	a := o.Arch
	if train == nil {
		return zeroHead(a), 0, nil
	}
	groups := RandomGroups(rand.New(rand.NewPCG(o.Seed, uint64(2000+k))), train.Len(), k, n)
	feat, err := Open(ParityName(k)+" features", ParityGraph(a, k, o.Seed, nil).Marshal(ModelInfo{Producer: "collagesim"}), o.Session)
	if err != nil {
		return nil, 0, err
	}
	x, err := ParityOutputs(feat, &ParityEncoder{K: k, Side: a.Side}, train.Images, groups, 32)
	feat.Close()
	if err != nil {
		return nil, 0, err
	}
	classes := len(o.classes())
	y := make([][]float32, len(groups))
	for i, grp := range groups {
		y[i] = make([]float32, classes)
		for _, j := range grp {
			for c, v := range single[j] {
				y[i][c] += v
			}
		}
	}
	head, err := FitLinear(x, y, 1e-4)
	if err != nil {
		return nil, 0, err
	}
	out := make([][]float32, len(x))
	for i, v := range x {
		out[i] = make([]float32, classes)
		head.Apply(v, out[i])
	}
	ok, total := DegradedAccuracy(out, single, train.Labels, groups)
	return head, float64(ok) / float64(total), nil
}
