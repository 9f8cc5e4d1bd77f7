package sim

// A shared queue. The none, collage and parity strategies send each
// request's first copy to the single pool when it arrives and never
// withdraw it, so where they use one pool, the same arrivals and the same
// service times (a feed's), the pool's FIFOs go the same way in each of
// them. In lockstep one run of its own, the none strategy on that pool (the
// queue's engine), takes each block's requests first and writes down each
// request's task: its server, start and finish, and whether it started when
// it was sent; the runs sharing the queue read that instead of computing
// it, and at their end take the FIFOs' state and counts from the engine.
//
// A run's decisions on the pool's FIFOs compare a task's event keys only
// with arrivals' (never two keys scheduled in arrivals' handlers, whose
// numbering is each run's own), so they are the engine's in every run, a
// give-up included (every sharing run then gives up at that request or
// before). A run numbers the keys of the tasks it reads where it would have
// sent them (inArrivalKey at the same point of its request). The tasks left
// in the FIFOs at the end, taken from the engine, keep the engine's
// numbering, so their keys are made of unknown order within their instant:
// where that order decides, the run gives up and the event loop makes it.

// qTask is a request's task on the shared queue.
type qTask struct {
	start, finish int64
	s             int32 // its server, within the pool
	atDispatch    bool  // it started when it was sent
}

// sharedQueue holds the tasks of the requests of the block from idBase,
// and the tasks in the FIFOs after each of its batches (from batch base)
// where a stability bound counts them.
type sharedQueue struct {
	eng     *direct
	pool    *PoolSpec
	idBase  int64
	tasks   []qTask
	base    int64
	pending []int64
}

// newSharedQueue returns the queue of pool ps for runs of sc with seed,
// drawing from feed f; nil where the engine's run cannot be made or the
// direct path does not take it with its service times from f.
func newSharedQueue(sc *Scenario, ps *PoolSpec, seed uint64, tables *Tables, f *feed) *sharedQueue {
	spec := StrategySpec{Name: "shared queue", Kind: StrategyNone, Pools: map[string]string{PoolSingle: ps.Name}}
	run, err := newRun(sc, &spec, seed, tables)
	if err != nil {
		return nil
	}
	d, ok := run.beginDirect(f)
	if !ok || !d.fed {
		return nil
	}
	q := &sharedQueue{eng: d, pool: ps}
	d.queueOut = q
	return q
}

// shares reports whether d can read its requests' tasks from q: a run of
// the none, collage or parity strategy, with q's pool as its single pool
// and its service times from the same feed.
func (q *sharedQueue) shares(d *direct) bool {
	return q != nil && d.fed && d.feed == q.eng.feed && d.rep == nil && d.hedgeOf == nil &&
		d.run.pools[d.single].spec == q.pool
}

// step has the engine take the requests of the block of batches from base
// to until (not taken), from request id idBase.
func (q *sharedQueue) step(idBase, base, until int64) {
	q.idBase, q.tasks, q.base, q.pending = idBase, q.tasks[:0], base, q.pending[:0]
	q.eng.step(until)
}

// outstanding is the number of tasks in the single pool's FIFOs after the
// batch taken last, for the stability bound max_outstanding: at least the
// requests outstanding. The engine of a shared queue writes it down for
// the runs sharing it, which have no FIFOs of their own to count.
func (d *direct) outstanding() int64 {
	if q := d.queueOut; q != nil {
		q.pending = append(q.pending, d.pending)
	}
	if q := d.queue; q != nil {
		if i := d.ai - q.base; i >= 0 && i < int64(len(q.pending)) {
			return q.pending[i]
		}
		return d.bound + 1 // not written down: the engine gave up first
	}
	return d.pending
}

// record writes down request id's task t on server s (the engine's).
func (q *sharedQueue) record(s int32, t *dTask) {
	p := &q.eng.run.pools[q.eng.single]
	q.tasks = append(q.tasks, qTask{start: t.start, finish: t.finish, s: s - p.first, atDispatch: t.atDispatch})
}

// queued reads request id's first copy's task from the shared queue, where
// arrive(id, 0, a, false, nil) would send it: its server and the task
// (valid until the next call; only its start, finish, service time and
// push key are set). The block holds every request step takes: step gives
// up first where the engine gave up in it.
func (d *direct) queued(id int64) (int32, *dTask) {
	q := d.queue
	r := &q.tasks[id-q.idBase]
	t := &d.qt
	t.start, t.finish, t.drawn = r.start, r.finish, r.finish-r.start
	t.push = pushKey{t: r.start}
	if r.atDispatch { // its finish scheduled in the arrival's handler, as arrive numbers it
		d.nIn++
		t.push.np = d.nIn<<2 | uint64(inArrival)
	}
	return d.qFirst + r.s, t
}

// takeQueue sets the single pool's FIFOs, their counts and the longest
// queues from the engine's, at the end of the run: keys scheduled in
// arrivals' handlers become of unknown order within their instant.
func (d *direct) takeQueue() {
	e := d.queue.eng
	ep, p := &e.run.pools[e.single], &d.run.pools[d.single]
	for i := range p.n {
		src, dst := &e.srv[ep.first+i], &d.srv[p.first+i]
		*dst = *src
		dst.q = make([]dTask, len(src.q)-src.head)
		copy(dst.q, src.q[src.head:])
		dst.head = 0
		for k := range dst.q {
			t := &dst.q[k]
			t.push, t.startEv = foreignKey(t.push), foreignKey(t.startEv)
		}
		dst.freeKey = foreignKey(dst.freeKey)
		d.run.servers[p.first+i].maxQ = e.run.servers[ep.first+i].maxQ
	}
}

// foreignKey is k as a run other than the one that numbered it knows it:
// one scheduled in an arrival's handler is of unknown order within its
// instant.
func foreignKey(k pushKey) pushKey {
	if k.place() == inArrival {
		return pushKey{t: k.t}
	}
	return k
}
