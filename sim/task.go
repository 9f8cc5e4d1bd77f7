package sim

// Task states.
const (
	taskFree uint8 = iota
	taskSent       // on its way to the server (network delay)
	taskQueued
	taskRunning
	taskAnswering // finished, answer on its way back
	taskCancelled // cancelled while queued: dropped when it reaches the head
)

// Task is one unit of work on one server: an S-CNN inference for a request
// (a request task), or a collage or parity inference for a group of requests
// (a group task). Strategies see it when its answer arrives.
type Task struct {
	// Req is the request a request task serves; a group task has Req.Slot -1.
	Req Req
	// Group is the coding group the task belongs to: a group task's group,
	// a request task's group in a strategy that groups requests and tells
	// the task so (SubmitInGroup), else noGroup (Index -1).
	Group GroupRef
	// Copy numbers the copies of a request: 0 is its first task, 1 and up
	// its replicas, hedges and re-sends. A group task has Copy 0.
	Copy int32
	Pool int32 // index into the run's pools
	// Server is the global index of the server that ran it, -1 before it starts.
	Server int32
	// Busy is the service time it took (ns).
	Busy int64

	key     drawKey // keyed-draw key: same request, same copy, same draws
	service int64   // which service start of the run this is: a finish event of a service cut short is stale
	reached int64   // when it last reached its pool (queued or started there)
	start   int64
	gen     uint32
	state   uint8
}

// ForRequest reports whether t is a request task (not a group task).
func (t *Task) ForRequest() bool { return t.Req.Slot >= 0 }

// TaskRef names a task; it goes stale once the task is finished or cancelled.
type TaskRef struct {
	i   int32
	gen uint32
}

// noTask is a TaskRef that names no task.
var noTask = TaskRef{i: -1}

// SubmitCopy sends copy number copy of request r to pool p. avoid lists
// global server indices not to use (copies of the same request go to
// distinct servers where the pool allows).
func (run *Run) SubmitCopy(p int32, r Req, copy int, avoid ...int32) TaskRef {
	i, t := run.newTask(p, reqKey(r.ID, copy))
	t.Req, t.Group, t.Copy = r, noGroup, int32(copy)
	return run.send(i, avoid)
}

// SubmitInGroup sends the first copy of request r, which belongs to group g
// of the strategy, to pool p: the task carries g back to the strategy.
func (run *Run) SubmitInGroup(p int32, r Req, g GroupRef) TaskRef {
	i, t := run.newTask(p, reqKey(r.ID, 0))
	t.Req, t.Group = r, g
	return run.send(i, nil)
}

// SubmitGroup sends the task of group g to pool p; key identifies its
// random draws.
func (run *Run) SubmitGroup(p int32, g GroupRef, key drawKey) TaskRef {
	i, t := run.newTask(p, key)
	t.Req, t.Group = Req{Slot: -1}, g
	return run.send(i, nil)
}

// newTask takes a task slot for pool p with draw key key; the caller fills
// in what the task is for, then sends it.
func (run *Run) newTask(p int32, key drawKey) (int32, *Task) {
	i := alloc(&run.tasks, &run.free)
	t := &run.tasks[i]
	t.Pool, t.Server, t.key, t.state, t.Copy, t.Busy = p, -1, key, taskSent, 0, 0
	t.gen++
	return i, t
}

// send sends task i towards its pool: at once, or after the network delay.
func (run *Run) send(i int32, avoid []int32) TaskRef {
	t := &run.tasks[i]
	if run.networked() {
		d := run.draw(&run.sc.Network, sidNetSend, t.key)
		if run.sc.NetworkShared.Kind != DistNone {
			// The same for every task sent now: keyed by the instant.
			d += ns(run.sc.NetworkShared.sampleKeyed(keyOf(run.seed, sidNetShare, uint64(run.now), 0), run.rng))
		}
		// The server is chosen when the task reaches the pool: dispatch
		// sees the queues as they are then.
		if len(avoid) > 0 {
			if run.avoidInFlight == nil {
				run.avoidInFlight = make(map[int32][]int32)
			}
			run.avoidInFlight[i] = append([]int32(nil), avoid...)
		}
		run.cal.push(run.now+d, event{kind: evReach, a: i, b: int64(t.gen)})
		return TaskRef{i, t.gen}
	}
	gen := t.gen
	run.dispatch(i, avoid)
	return TaskRef{i, gen}
}

// Server returns the server a task went to (-1 while it is on its way).
func (run *Run) Server(ref TaskRef) int32 {
	t := &run.tasks[ref.i]
	if t.gen != ref.gen {
		return -1
	}
	return t.Server
}

// Cancel withdraws a task: a queued one is removed; a running one is stopped
// when running is true. A finished or stale task is left alone.
func (run *Run) Cancel(ref TaskRef, running bool) {
	if ref.i < 0 {
		return
	}
	t := &run.tasks[ref.i]
	if t.gen != ref.gen {
		return
	}
	switch t.state {
	case taskSent:
		t.state = taskCancelled
	case taskQueued:
		t.state = taskCancelled
		p := &run.pools[t.Pool]
		run.queueDelta(p, -1)
		if t.Server >= 0 {
			run.servers[t.Server].queued--
		}
	case taskRunning:
		if !running {
			return
		}
		srv := &run.servers[t.Server]
		run.pools[t.Pool].busy += run.now - t.start
		run.removeRunning(srv, ref.i)
		run.freeTask(ref.i)
		run.startNext(t.Server)
	}
}

func (run *Run) freeTask(i int32) {
	t := &run.tasks[i]
	t.state = taskFree
	t.gen++
	run.free = append(run.free, i)
}

// alloc returns a free slot of a slab: one from the free list, or a new one
// at the end. Slabs keep memory bounded by what is in flight, not by the
// number of requests.
func alloc[T any](slab *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*slab = append(*slab, zero)
	return int32(len(*slab) - 1)
}
