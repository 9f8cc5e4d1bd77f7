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
	"sync"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// Answer sources, in the order of sim.Sources.
const (
	srcSingle = iota
	srcCollage
	srcParity
	srcReplica
	srcResend
)

// lbServer is one server as the load balancer sees it.
type lbServer struct {
	pool        *lbPool
	index       int
	url         string
	outstanding int // tasks sent and not answered
	maxQueue    int // most tasks waiting behind its slots
}

// lbPool is a pool: its servers, its model's input, its dispatch state.
type lbPool struct {
	name     string
	spec     *sim.PoolSpec
	model    string // name the servers serve it under
	input    string // input tensor name
	slots    int
	servers  []*lbServer
	rr       uint64
	central  []*task
	busy     float64 // virtual ns of service
	external bool
}

// task is one inference call.
type task struct {
	id        string
	pool      *lbPool
	server    *lbServer
	key       sim.TaskKey
	owner     int64 // request id, or group index
	tag       int   // copy number; -1: a group task
	input     []float32
	shape     []int64
	cancelled bool
	finished  bool
}

// reqRec is one request's state and outcome.
type reqRec struct {
	arrival  time.Time
	answered bool
	latNs    int64 // virtual
	src      int
	correct  bool
	tasks    [2]*task
	// collage deadline decoder
	late, cellIn, cellCorrect bool
	// parity
	group  int
	logits []float32
}

// group is a collage or parity group.
type group struct {
	id         int64
	cells      []int64 // request ids
	open       bool
	sent       bool
	parity     []float32 // parity output, once in
	parityBusy float64
	timer      *time.Timer
}

// lbRun is one replication of one strategy on the cluster.
type lbRun struct {
	mu     sync.Mutex
	sc     *sim.Scenario
	spec   *sim.StrategySpec
	seed   uint64
	scale  float64
	epoch  time.Time
	client *http.Client
	ctx    context.Context
	data   *inputs
	closed bool

	pools  map[string]*lbPool
	single *lbPool
	other  *lbPool // backup, collage or parity pool

	reqs      []reqRec
	remaining int // requests issued and not answered, plus those to come
	allDone   chan struct{}

	// strategy parameters
	hedgeAfter time.Duration
	groups     []*group
	curGroup   *group
	k          int
	encMu      sync.Mutex
	groupSide  int // side of the collage or parity input
	collager   *models.Collager
	parityEnc  *models.ParityEncoder

	nextID    int64
	tasksRun  int64
	useful    float64 // virtual ns of service whose answer was used
	excessNs  []int64
	rpcNs     []int64 // per answered task: round trip minus the worker's own time (wall ns)
	computeNs map[string][]int64
	encodeNs  []int64
	lbNs      []int64 // per request: arrival at the load balancer to its first task on the wire (wall ns)
	errs      []error
	lastAns   time.Time
	genLag    []int64
}

// inputs holds the labelled images at the sizes the models take.
type inputs struct {
	images []models.Image // at the S-CNN side
	labels []int
	side   int
}

func (in *inputs) of(id int64) (models.Image, int) {
	i := int(id % int64(len(in.images)))
	return in.images[i], in.labels[i]
}

func (run *lbRun) virtual(d time.Duration) int64 { return int64(float64(d) * run.scale) }

func (run *lbRun) wall(virtualNs int64) time.Duration {
	return time.Duration(float64(virtualNs) / run.scale)
}

// arrive is request id reaching the load balancer at its scheduled instant.
func (run *lbRun) arrive(id int64, at time.Time) {
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.closed {
		return
	}
	r := &run.reqs[id]
	r.arrival = at
	img, _ := run.data.of(id)
	switch run.spec.Kind {
	case sim.StrategyNone:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil)
	case sim.StrategyReplicate:
		var avoid []*lbServer
		for c := 0; c < max(2, run.spec.Copies); c++ {
			t := run.submit(run.single, sim.RequestKey(id, c), id, c, img.Pix, avoid)
			if c < 2 {
				r.tasks[c] = t
			}
			if t.server != nil {
				avoid = append(avoid, t.server)
			}
		}
	case sim.StrategyHedge:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil)
		time.AfterFunc(time.Until(at.Add(run.hedgeAfter)), func() { run.hedge(id) })
	case sim.StrategyCollage:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil)
		if run.spec.Decoder == sim.DecoderDeadline {
			time.AfterFunc(time.Until(at.Add(run.wall(run.spec.Deadline))), func() { run.deadline(id) })
		}
		run.addToGroup(id)
	case sim.StrategyParity:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil)
		run.addToGroup(id)
	}
}

// submit sends a task to pool p (call with mu held).
func (run *lbRun) submit(p *lbPool, key sim.TaskKey, owner int64, tag int, input []float32, avoid []*lbServer) *task {
	side := run.data.side
	if tag < 0 {
		side = run.groupSide
	}
	run.nextID++
	t := &task{id: strconv.FormatInt(run.nextID, 10), pool: p, key: key, owner: owner, tag: tag, input: input,
		shape: []int64{1, 3, int64(side), int64(side)}}
	if p.spec.Dispatch == sim.DispatchCentral {
		for _, s := range p.servers {
			if s.outstanding < p.slots && !slices.Contains(avoid, s) {
				run.send(t, s)
				return t
			}
		}
		p.central = append(p.central, t)
		return t
	}
	run.send(t, run.choose(p, key, avoid))
	return t
}

// choose picks a server by the pool's dispatch policy, as the simulator does,
// from the outstanding tasks the load balancer knows of.
func (run *lbRun) choose(p *lbPool, key sim.TaskKey, avoid []*lbServer) *lbServer {
	n := uint64(len(p.servers))
	ok := func(s *lbServer) bool { return !slices.Contains(avoid, s) }
	switch p.spec.Dispatch {
	case sim.DispatchRandom, sim.DispatchPowerOfTwo:
		r := key.Rand(run.seed, "dispatch", 0)
		pick := func() *lbServer {
			for try := 0; try < 64; try++ {
				if s := p.servers[r.Uint64N(n)]; ok(s) {
					return s
				}
			}
			return p.servers[0]
		}
		a := pick()
		if p.spec.Dispatch == sim.DispatchRandom || n == 1 {
			return a
		}
		b := a
		for try := 0; try < 64 && b == a; try++ {
			b = pick()
		}
		if b.outstanding < a.outstanding {
			return b
		}
		return a
	case sim.DispatchLeastOutstanding:
		var best *lbServer
		start := p.rr
		p.rr++
		for k := uint64(0); k < n; k++ {
			s := p.servers[(start+k)%n]
			if ok(s) && (best == nil || s.outstanding < best.outstanding) {
				best = s
			}
		}
		if best != nil {
			return best
		}
		return p.servers[start%n]
	default: // round-robin
		for k := uint64(0); k < n; k++ {
			s := p.servers[p.rr%n]
			p.rr++
			if ok(s) {
				return s
			}
		}
		s := p.servers[p.rr%n]
		p.rr++
		return s
	}
}

// send puts t on the wire to s (call with mu held).
func (run *lbRun) send(t *task, s *lbServer) {
	t.server = s
	s.outstanding++
	s.maxQueue = max(s.maxQueue, s.outstanding-t.pool.slots)
	run.tasksRun++
	if t.tag >= 0 {
		if r := &run.reqs[t.owner]; t.tag == 0 {
			run.lbNs = append(run.lbNs, time.Since(r.arrival).Nanoseconds())
		}
	}
	go run.call(t)
}

// call runs one infer call and hands its answer to the strategy.
func (run *lbRun) call(t *task) {
	ireq := InferRequest{ID: t.id,
		Parameters: &TaskParams{Seed: strconv.FormatUint(run.seed, 10), Key: formatKey(t.key),
			Epoch: strconv.FormatInt(run.epoch.UnixNano(), 10)},
		Inputs: []Tensor{{Name: t.pool.input, Shape: t.shape, Datatype: "FP32", Data: t.input}}}
	var body []byte
	var err error
	headerLen := -1
	if t.pool.external {
		body, err = json.Marshal(ireq) // plain JSON: every v2 server reads it
	} else {
		body, headerLen, err = encodeBinary(&ireq)
	}
	var resp InferResponse
	sent := time.Now()
	status := 0
	if err == nil {
		url := t.server.url + "/v2/models/" + t.pool.model + "/infer"
		req, _ := http.NewRequestWithContext(run.ctx, http.MethodPost, url, bytes.NewReader(body))
		if headerLen >= 0 {
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set(HeaderLength, strconv.Itoa(headerLen))
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		var hr *http.Response
		if hr, err = run.client.Do(req); err == nil {
			status = hr.StatusCode
			if status == http.StatusOK {
				err = json.NewDecoder(hr.Body).Decode(&resp)
			} else {
				b, _ := io.ReadAll(io.LimitReader(hr.Body, 512))
				err = fmt.Errorf("HTTP %d: %s", status, bytes.TrimSpace(b))
			}
			io.Copy(io.Discard, hr.Body) // read to the end, so the connection is reused
			hr.Body.Close()
		}
	}
	rtt := time.Since(sent)
	run.mu.Lock()
	defer run.mu.Unlock()
	s := t.server
	s.outstanding--
	t.finished = true
	if p := t.pool; len(p.central) > 0 && !run.closed {
		next := p.central[0]
		p.central = p.central[1:]
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
		run.rpcNs = append(run.rpcNs, rtt.Nanoseconds()-tm.QueueNs-tm.HoldNs)
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
	r.tasks[1] = run.submit(run.other, sim.RequestKey(id, 1), id, 1, img.Pix, avoid)
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
		r.tasks[1] = run.submit(run.single, sim.RequestKey(id, 1), id, 1, img.Pix, avoid)
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
	go func() {
		start := time.Now()
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
		enc := time.Since(start)
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
		run.submit(run.other, key, g.id, -1, buf, nil)
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

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
