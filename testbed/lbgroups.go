package testbed

import (
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

func (run *lbRun) hedge(id int64) {
	run.mu.Lock()
	defer run.mu.Unlock()
	r := &run.reqs[id]
	if run.closed || r.answered {
		return
	}
	var avoid []*lbServer
	if run.other == run.single && r.tasks[0] != nil && r.tasks[0].server != nil {
		avoid = []*lbServer{r.tasks[0].server}
	}
	img, _ := run.data.of(id)
	r.tasks[1] = run.submit(run.other, sim.RequestKey(id, 1), id, 1, img.Pix, avoid, r.arrival.Add(run.hedgeAfter))
}

func (run *lbRun) deadline(id int64) {
	run.mu.Lock()
	defer run.mu.Unlock()
	r := &run.reqs[id]
	if run.closed || r.answered {
		return
	}
	if r.cellIn {
		run.answer(id, srcCollage, r.cellCorrect)
		return
	}
	r.late = true
	if run.spec.Resend {
		var avoid []*lbServer
		if r.tasks[0] != nil && r.tasks[0].server != nil {
			avoid = []*lbServer{r.tasks[0].server}
		}
		img, _ := run.data.of(id)
		r.tasks[1] = run.submit(run.single, sim.RequestKey(id, 1), id, 1, img.Pix, avoid, r.arrival.Add(run.wall(run.spec.Deadline)))
	}
}

// addToGroup puts request id in the open group (mu held).
func (run *lbRun) addToGroup(id int64) {
	g := run.curGroup
	if g == nil {
		g = &group{id: int64(len(run.groups)), open: true}
		run.groups = append(run.groups, g)
		run.curGroup = g
		if run.spec.MaxWait > 0 {
			g.timer = time.AfterFunc(run.wall(run.spec.MaxWait), func() {
				run.mu.Lock()
				defer run.mu.Unlock()
				if !run.closed && g.open {
					run.closeGroup(g)
				}
			})
		}
	}
	g.cells = append(g.cells, id)
	run.reqs[id].group = int(g.id)
	if len(g.cells) == run.k {
		run.closeGroup(g)
	}
}

// closeGroup encodes the group's images (outside the lock, timed) and sends
// the collage or parity task.
func (run *lbRun) closeGroup(g *group) {
	g.open = false
	if run.curGroup == g {
		run.curGroup = nil
	}
	if g.timer != nil {
		g.timer.Stop()
	}
	imgs := make([]models.Image, len(g.cells))
	for c, id := range g.cells {
		imgs[c], _ = run.data.of(id)
	}
	start := time.Now() // encoding starts when the group closes: waiting for a CPU to run it is part of it
	go func() {
		var buf []float32
		var side int
		run.encMu.Lock() // the encoders keep scratch space
		if run.spec.Kind == sim.StrategyCollage {
			side = run.collager.Side()
			buf = make([]float32, 3*side*side)
			run.collager.Encode(buf, imgs)
		} else {
			side = run.parityEnc.Side
			buf = make([]float32, 3*side*side)
			run.parityEnc.Encode(buf, imgs)
		}
		run.encMu.Unlock()
		encoded := time.Now()
		enc := encoded.Sub(start)
		run.mu.Lock()
		defer run.mu.Unlock()
		if run.closed {
			return
		}
		run.encodeNs = append(run.encodeNs, enc.Nanoseconds())
		key := sim.CollageKey(g.id)
		if run.spec.Kind == sim.StrategyParity {
			key = sim.ParityKey(g.id)
		}
		run.groupSide = side
		run.submit(run.other, key, g.id, -1, buf, nil, encoded)
		g.sent = true
	}()
}

// settle reconstructs the one missing S-CNN answer of a parity group from
// the parity output and the other answers (mu held).
func (run *lbRun) settle(g *group) {
	if g.open || g.parity == nil {
		return
	}
	missing := -1
	var others [][]float32
	for _, id := range g.cells {
		r := &run.reqs[id]
		if r.logits == nil {
			if missing >= 0 {
				return // two missing: nothing to reconstruct yet
			}
			missing = int(id)
			continue
		}
		others = append(others, r.logits)
	}
	if missing < 0 || run.reqs[missing].answered {
		return
	}
	dst := make([]float32, len(g.parity))
	models.Reconstruct(dst, g.parity, others)
	if run.answer(int64(missing), srcParity, run.correct(int64(missing), dst)) {
		run.useful += g.parityBusy
		g.parityBusy = 0
	}
	run.reqs[missing].logits = dst // reconstructed once
}
