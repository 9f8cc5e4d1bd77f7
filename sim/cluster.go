package sim

// server is one server of a pool: the tasks it runs, its queue, and the
// state of the straggler models that cover it.
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

// pool is a strategy's view of one pool of the scenario: its servers are
// run.servers[first : first+n].
type pool struct {
	spec    *PoolSpec
	model   *Model
	svc     nsTable // the model's sample table in whole ns, where it has one
	first   int32   // global index of its first server
	n       int32
	slots   int
	rr      int32 // round-robin position in [0, n): the next server's index in the pool
	down    int32 // servers down now
	central fifo  // dispatch = central: tasks wait here
	// maxCentral is the longest the central queue got.
	maxCentral int64
	queued     int64
	// time-averaged queue length: area under queued(t)
	qArea   u128 // ns x tasks, exact
	qSince  int64
	busy    int64
	useful  int64
	started int64
}

// fifo is a ring buffer of task indices; its length is a power of two.
type fifo struct {
	buf  []int32
	head int
	n    int
}

func (q *fifo) push(v int32) {
	if q.n == len(q.buf) {
		nb := make([]int32, max(8, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

func (q *fifo) pop() int32 {
	v := q.buf[q.head]
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}
