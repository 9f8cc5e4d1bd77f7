package sim

import "math/rand/v2"

// Task states.
const (
	taskFree uint8 = iota
	taskSent       // on its way to the server (network delay)
	taskQueued
	taskRunning
	taskAnswering // finished, answer on its way back
	taskCancelled // cancelled while queued: dropped when it reaches the head
)

// Task is one unit of work on one server: an S-CNN inference for a request, a
// collage, a parity inference. Strategies see it when its answer arrives.
type Task struct {
	// Owner and Slot say what the task is for: a request (ID and slot) or a
	// strategy's group. Tag is the strategy's own label (copy number, role).
	Owner int64
	Slot  int32
	Tag   int32
	Pool  int32 // index into the run's pools
	// Server is the global index of the server that ran it, -1 before it starts.
	Server int32
	// Busy is the service time it took (ns).
	Busy int64

	key    uint64 // keyed-draw key: same request, same copy, same draws
	starts uint32 // times it started service (a requeued task starts again)
	start  int64
	gen    uint32
	state  uint8
}

// TaskRef names a task; it goes stale once the task is finished or cancelled.
type TaskRef struct {
	i   int32
	gen uint32
}

// fifo is a ring buffer of task indices.
type fifo struct {
	buf  []int32
	head int
	n    int
}

func (q *fifo) push(v int32) {
	if q.n == len(q.buf) {
		nb := make([]int32, max(8, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = v
	q.n++
}

func (q *fifo) pop() int32 {
	v := q.buf[q.head]
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return v
}

// stragglerState is one straggler model's state on one server.
type stragglerState struct {
	spec   *StragglerSpec
	index  int        // position in the scenario's straggler list
	rng    *rand.Rand // markov timeline
	slow   bool
	until  int64 // markov: end of the current state
	factor float64
	pos    int // trace: next sample
}

type server struct {
	pool    int32
	index   int32 // within its pool
	running []int32
	queue   fifo
	queued  int32 // tasks waiting, not counting cancelled ones
	maxQ    int32
	down    bool
	strag   []stragglerState
	started int64 // tasks started here
	svc     int64 // their service times, summed (stragglers included)
}

func (s *server) outstanding() int32 { return s.queued + int32(len(s.running)) }

type pool struct {
	spec    *PoolSpec
	model   *Model
	first   int32 // global index of its first server
	n       int32
	slots   int
	rr      uint64
	central fifo // dispatch = central: tasks wait here
	// maxCentral is the longest the central queue got.
	maxCentral int64
	queued     int64
	// time-averaged queue length: area under queued(t)
	qArea   float64
	qSince  int64
	busy    int64
	useful  int64
	started int64
}
