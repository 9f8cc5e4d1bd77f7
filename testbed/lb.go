package testbed

import (
	"context"
	"encoding/json"
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
	outstanding int     // tasks sent and not answered
	inflight    []*task // those tasks, in the order they were sent
	maxQueue    int     // most tasks waiting behind its slots
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
	due       time.Time // when the strategy sends it: arrival, hedge or deadline timer, group encoded, server free (central)
	sentAt    time.Time // when the load balancer put it on the wire (its call started)
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
	rpcNs     []int64    // per answered task: round trip minus the worker's own time (wall ns)
	ovNs      []int64    // per answered task: due to on the wire, plus the round trip minus the worker's own time (wall ns)
	ovDue     [][2]int64 // per answered task: its due instant (Unix ns) and its ovNs sample
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
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil, at)
	case sim.StrategyReplicate:
		var avoid []*lbServer
		for c := 0; c < max(2, run.spec.Copies); c++ {
			t := run.submit(run.single, sim.RequestKey(id, c), id, c, img.Pix, avoid, at)
			if c < 2 {
				r.tasks[c] = t
			}
			if t.server != nil {
				avoid = append(avoid, t.server)
			}
		}
	case sim.StrategyHedge:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil, at)
		time.AfterFunc(time.Until(at.Add(run.hedgeAfter)), func() { run.hedge(id) })
	case sim.StrategyCollage:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil, at)
		if run.spec.Decoder == sim.DecoderDeadline {
			time.AfterFunc(time.Until(at.Add(run.wall(run.spec.Deadline))), func() { run.deadline(id) })
		}
		run.addToGroup(id)
	case sim.StrategyParity:
		r.tasks[0] = run.submit(run.single, sim.RequestKey(id, 0), id, 0, img.Pix, nil, at)
		run.addToGroup(id)
	}
}

// submit sends a task to pool p (call with mu held).
func (run *lbRun) submit(p *lbPool, key sim.TaskKey, owner int64, tag int, input []float32, avoid []*lbServer, due time.Time) *task {
	side := run.data.side
	if tag < 0 {
		side = run.groupSide
	}
	run.nextID++
	t := &task{id: strconv.FormatInt(run.nextID, 10), pool: p, key: key, owner: owner, tag: tag, input: input,
		shape: []int64{1, 3, int64(side), int64(side)}, due: due}
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
	t.sentAt = time.Now()
	s.outstanding++
	s.inflight = append(s.inflight, t)
	s.maxQueue = max(s.maxQueue, s.outstanding-t.pool.slots)
	run.tasksRun++
	if t.tag >= 0 {
		if r := &run.reqs[t.owner]; t.tag == 0 {
			run.lbNs = append(run.lbNs, time.Since(r.arrival).Nanoseconds())
		}
	}
	go run.call(t)
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
