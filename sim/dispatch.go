package sim

import "slices"

// dispatch places task i on a server of its pool, or in the pool's central queue.
func (run *Run) dispatch(i int32, avoid []int32) {
	t := &run.tasks[i]
	p := &run.pools[t.Pool]
	t.state = taskQueued
	t.reached = run.now
	if p.spec.Dispatch == DispatchCentral {
		for s := p.first; s < p.first+p.n; s++ {
			srv := &run.servers[s]
			if !srv.down && len(srv.running) < p.slots && !slices.Contains(avoid, s) {
				t.Server = s
				run.start(i, s)
				return
			}
		}
		t.Server = -1
		p.central.push(i)
		run.queueDelta(p, 1)
		p.maxCentral = max(p.maxCentral, p.queued)
		return
	}
	s := run.choose(p, t.key, avoid)
	t.Server = s
	srv := &run.servers[s]
	if !srv.down && len(srv.running) < p.slots && srv.queue.n == 0 {
		run.start(i, s)
		return
	}
	srv.queue.push(i)
	srv.queued++
	if srv.queued > srv.maxQ {
		srv.maxQ = srv.queued
	}
	run.queueDelta(p, 1)
}

// choose picks a server of p by the pool's dispatch policy. Down servers and
// those in avoid are skipped while any other is left.
func (run *Run) choose(p *pool, key drawKey, avoid []int32) int32 {
	ok := func(s int32) bool { return !run.servers[s].down && !slices.Contains(avoid, s) }
	n := uint64(p.n)
	switch p.spec.Dispatch {
	case DispatchRandom, DispatchPowerOfTwo:
		r := pcgAt(key.keyIn(run.pDispatch, 0))
		pick := func() int32 {
			for try := 0; try < 64; try++ {
				s := p.first + int32(r.Uint64N(n))
				if ok(s) {
					return s
				}
			}
			return run.firstOK(p, ok)
		}
		a := pick()
		if p.spec.Dispatch == DispatchRandom || p.n == 1 {
			return a
		}
		b := a
		for try := 0; try < 64 && b == a; try++ {
			b = pick()
		}
		if run.servers[b].outstanding() < run.servers[a].outstanding() {
			return b
		}
		return a
	case DispatchLeastOutstanding:
		best := int32(-1)
		start := p.rr
		p.advance()
		for k, s := int32(0), start; k < p.n; k++ {
			if k > 0 {
				if s++; s == p.n {
					s = 0
				}
			}
			if !ok(p.first + s) {
				continue
			}
			if best < 0 || run.servers[p.first+s].outstanding() < run.servers[best].outstanding() {
				best = p.first + s
			}
		}
		if best >= 0 {
			return best
		}
		return p.first + start
	default: // round-robin
		if p.down == 0 && len(avoid) == 0 {
			s := p.first + p.rr
			p.advance()
			return s
		}
		for k := int32(0); k < p.n; k++ {
			s := p.first + p.rr
			p.advance()
			if ok(s) {
				return s
			}
		}
		s := p.first + p.rr
		p.advance()
		return s
	}
}

// advance moves the pool's round-robin position to the next server.
func (p *pool) advance() {
	if p.rr++; p.rr == p.n {
		p.rr = 0
	}
}

func (run *Run) firstOK(p *pool, ok func(int32) bool) int32 {
	for s := p.first; s < p.first+p.n; s++ {
		if ok(s) {
			return s
		}
	}
	return p.first
}

// start begins service of task i on server s.
func (run *Run) start(i int32, s int32) {
	t := &run.tasks[i]
	srv := &run.servers[s]
	p := &run.pools[t.Pool]
	t.state = taskRunning
	t.Server = s
	t.start = run.now
	t.Busy = run.serviceTime(t, srv, p)
	srv.running = append(srv.running, i)
	p.started++
	srv.started++
	srv.svc += t.Busy
	run.tasksRun++
	t.service = run.tasksRun
	run.cal.push(run.now+t.Busy, event{kind: evFinish, a: i, b: t.service})
}

// startNext fills server s's free slots from its queue (or its pool's central queue).
func (run *Run) startNext(s int32) {
	srv := &run.servers[s]
	if srv.down {
		return
	}
	p := &run.pools[srv.pool]
	q := &srv.queue
	if p.spec.Dispatch == DispatchCentral {
		q = &p.central
	}
	for len(srv.running) < p.slots && q.n > 0 {
		i := q.pop()
		t := &run.tasks[i]
		if t.state == taskCancelled {
			run.freeTask(i)
			continue
		}
		run.queueDelta(p, -1)
		if p.spec.Dispatch != DispatchCentral {
			srv.queued--
		}
		run.start(i, s)
	}
}

// queueDelta changes pool p's count of queued tasks by d, accruing the
// time-weighted queue length first.
func (run *Run) queueDelta(p *pool, d int64) {
	p.qArea.addProduct(uint64(p.queued), uint64(run.now-p.qSince))
	p.qSince = run.now
	p.queued += d
}

func (run *Run) removeRunning(srv *server, i int32) {
	for k, v := range srv.running {
		if v == i {
			last := len(srv.running) - 1
			srv.running[k] = srv.running[last]
			srv.running = srv.running[:last]
			return
		}
	}
	panic("sim: task not running on its server")
}
