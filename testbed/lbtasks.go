package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// call runs one infer call and hands its answer to the strategy.
func (run *lbRun) call(t *task) {
	ireq := InferRequest{ID: t.id,
		Parameters: &TaskParams{Seed: strconv.FormatUint(run.seed, 10), Key: formatKey(t.key),
			Epoch: strconv.FormatInt(run.epoch.UnixNano(), 10)},
		Inputs: []Tensor{{Name: t.pool.input, Shape: t.shape, Datatype: "FP32", Data: t.input}}}
	resp, err := postInfer(run.ctx, run.client, t.server.url, t.pool.model, &ireq, t.pool.external)
	// The round trip runs from send, under the lock, so that it includes
	// the start of this goroutine and the request's encoding: on a busy
	// host both wait for a CPU.
	rtt := time.Since(t.sentAt)
	run.mu.Lock()
	defer run.mu.Unlock()
	s := t.server
	s.outstanding--
	if i := slices.Index(s.inflight, t); i >= 0 {
		s.inflight = slices.Delete(s.inflight, i, i+1)
	}
	t.finished = true
	if p := t.pool; len(p.central) > 0 && !run.closed {
		next := p.central[0]
		p.central = p.central[1:]
		next.due = time.Now() // its wait in the central queue is the simulator's too
		run.send(next, s)
	}
	if run.closed {
		return
	}
	if err != nil {
		if !t.cancelled {
			run.errs = append(run.errs, fmt.Errorf("testbed: %s task %s on %s: %w", t.pool.name, t.id, s.url, err))
			run.lost(t)
		}
		return
	}
	busy := float64(rtt)
	if tm := resp.Parameters; tm != nil {
		busy = float64(tm.HoldNs)
		rpc := rtt.Nanoseconds() - tm.QueueNs - tm.HoldNs
		run.rpcNs = append(run.rpcNs, rpc)
		run.ovNs = append(run.ovNs, t.sentAt.Sub(t.due).Nanoseconds()+rpc)
		run.ovDue = append(run.ovDue, [2]int64{t.due.UnixNano(), run.ovNs[len(run.ovNs)-1]})
		run.excessNs = append(run.excessNs, tm.HoldNs-int64(float64(tm.DrawnNs)/run.scale))
		run.computeNs[t.pool.spec.Model] = append(run.computeNs[t.pool.spec.Model], tm.ComputeNs)
	}
	busy *= run.scale
	t.pool.busy += busy
	if t.cancelled || len(resp.Outputs) == 0 {
		return
	}
	if run.done(t, resp.Outputs[0].Data, busy) {
		run.useful += busy
	}
}

// postInfer sends one infer call to the server at base URL url and decodes
// its answer: plain JSON for external servers, else the binary tensor data
// extension.
func postInfer(ctx context.Context, client *http.Client, url, model string, ireq *InferRequest, external bool) (InferResponse, error) {
	var resp InferResponse
	var body []byte
	var err error
	headerLen := -1
	if external {
		body, err = json.Marshal(ireq) // plain JSON: every v2 server reads it
	} else {
		body, headerLen, err = encodeBinary(ireq)
	}
	if err != nil {
		return resp, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v2/models/"+model+"/infer", bytes.NewReader(body))
	if err != nil {
		return resp, err
	}
	if headerLen >= 0 {
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set(HeaderLength, strconv.Itoa(headerLen))
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	hr, err := client.Do(req)
	if err != nil {
		return resp, err
	}
	defer hr.Body.Close()
	if hr.StatusCode == http.StatusOK {
		err = json.NewDecoder(hr.Body).Decode(&resp)
	} else {
		b, _ := io.ReadAll(io.LimitReader(hr.Body, 512))
		err = fmt.Errorf("HTTP %d: %s", hr.StatusCode, bytes.TrimSpace(b))
	}
	io.Copy(io.Discard, hr.Body) // read to the end, so the connection is reused
	return resp, err
}

// cancel withdraws a task: from the central queue, or over the wire.
func (run *lbRun) cancel(t *task) {
	if t == nil || t.finished || t.cancelled {
		return
	}
	t.cancelled = true
	if t.server == nil {
		p := t.pool
		if i := slices.Index(p.central, t); i >= 0 {
			p.central = slices.Delete(p.central, i, i+1)
		}
		return
	}
	// A worker serves its tasks in the order they came, slots at a time: a
	// task with fewer than slots tasks sent before it still unanswered is
	// running (or starts as it arrives), and a cancel call would find it
	// so and change nothing. Only a queued task is worth the call.
	if i := slices.Index(t.server.inflight, t); i >= 0 && i < t.pool.slots {
		return
	}
	url := t.server.url + "/v2/models/" + t.pool.model + "/cancel"
	go func() {
		body, _ := json.Marshal(CancelRequest{ID: t.id})
		req, err := http.NewRequestWithContext(run.ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if resp, err := run.client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
}

// answer answers request id from src (call with mu held); it reports
// whether the request was still waiting.
func (run *lbRun) answer(id int64, src int, correct bool) bool {
	r := &run.reqs[id]
	if r.answered {
		return false
	}
	now := time.Now()
	r.answered, r.src, r.correct = true, src, correct
	r.latNs = run.virtual(now.Sub(r.arrival))
	run.lastAns = now
	run.remaining--
	if run.remaining == 0 {
		close(run.allDone)
	}
	return true
}

func (run *lbRun) correct(id int64, logits []float32) bool {
	_, label := run.data.of(id)
	return models.Argmax(logits) == label
}

// done handles a task's answer (mu held); it reports whether it was used.
func (run *lbRun) done(t *task, out []float32, busy float64) bool {
	if t.tag >= 0 {
		id := t.owner
		src := srcSingle
		if t.tag > 0 {
			src = srcReplica
			if run.spec.Kind == sim.StrategyCollage {
				src = srcResend
			}
		}
		ok := run.answer(id, src, run.correct(id, out))
		switch run.spec.Kind {
		case sim.StrategyReplicate, sim.StrategyHedge:
			if ok && run.spec.Cancel {
				r := &run.reqs[id]
				for _, o := range r.tasks {
					if o != t {
						run.cancel(o)
					}
				}
			}
		case sim.StrategyParity:
			run.reqs[id].logits = out
			run.settle(run.groups[run.reqs[id].group])
		}
		return ok
	}
	g := run.groups[t.owner]
	if run.spec.Kind == sim.StrategyParity {
		g.parity = out
		g.parityBusy = busy
		run.settle(g)
		return false // counted when a reconstruction uses it
	}
	// Collage: one row of logits per cell.
	classes := len(out) / run.k
	used := false
	for c, id := range g.cells {
		r := &run.reqs[id]
		if r.answered {
			continue
		}
		ok := run.correct(id, out[c*classes:(c+1)*classes])
		if run.spec.Decoder == sim.DecoderDeadline && !r.late {
			r.cellIn, r.cellCorrect = true, ok
			used = true
			continue
		}
		run.answer(id, srcCollage, ok)
		used = true
	}
	return used
}

// lost handles a task that failed (mu held).
func (run *lbRun) lost(t *task) {
	if t.tag < 0 && run.spec.Kind == sim.StrategyParity {
		return
	}
	if t.tag >= 0 && run.spec.Kind == sim.StrategyParity {
		run.settle(run.groups[run.reqs[t.owner].group])
	}
}
