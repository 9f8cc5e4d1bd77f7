package sim

// Runs in lockstep. The strategies of a replication see the same arrivals
// and draw the same service times for their requests' copies (common random
// numbers: a draw is a function of the request's id and copy): each run of
// the direct path would draw them for itself. A feed draws them once, a
// block of requests at a time, for every run of the replication that the
// direct path takes, and the runs take each block in turn (RunJobsWith):
// a block is drawn once and read while it is in cache, and memory does not
// grow with the number of requests.
//
// The values are those each run would draw: the arrivals are drawn by a run
// of the same scenario and seed of its own (nextArrival, from the stream
// every run of the replication draws them from), and the service times are
// reads of the same compact table with the same keys (ahead).

// feedRequests is the number of requests a feed's block holds, in whole
// batches of arrivals (at least one batch). A variable for the tests. 2,048
// measured 2 to 3 % faster than 4,096 on cloud-six (the blocks the runs read
// take half the cache), 512 and 1,024 no faster.
var feedRequests int64 = 2048

// feed holds the arrival times of batches base..base+len(arr)-1 and the
// service times of their requests' copies (blk).
type feed struct {
	src  *Run  // draws the arrivals
	per  int64 // requests per batch
	nb   int64 // batches per block
	base int64 // the block's first batch
	arr  []int64
	stop int64 // arrivals end before this batch (-1: not yet known)
	prev int64 // the last arrival drawn
	// The service times of copies 0..blk.nc-1 of the block's requests, on
	// the table of the first run's single pool (blk.svc nil: none).
	blk ahead
}

// newFeed returns a feed for runs, runs of one scenario and seed in the
// direct path, whose arrivals src draws (a run of its own). It draws the
// service times of as many copies of each request as any of runs draws
// ahead on the first run's table.
func newFeed(src *Run, runs []*Run) *feed {
	per := int64(max(1, src.sc.Arrivals.Batch))
	f := &feed{src: src, per: per, nb: max(1, feedRequests/per), stop: -1}
	f.arr = make([]int64, 0, f.nb)
	lead := runs[0]
	single, _, _ := lead.directEligible()
	sp := &lead.pools[single]
	if !lead.pureTable(sp, sp.svc) {
		return f
	}
	f.blk = ahead{svc: sp.svc, prefix: lead.pService, shared: true}
	for _, run := range runs {
		single, _, _ := run.directEligible()
		p := &run.pools[single]
		if nc, _ := run.reqCopies(p); run.pService == f.blk.prefix && run.pureTable(p, f.blk.svc) {
			f.blk.nc = max(f.blk.nc, nc)
		}
	}
	f.blk.v = make([]int64, f.nb*per*int64(f.blk.nc))
	return f
}

// arrivalsOf reports whether f draws the arrivals of run: the same
// scenario and seed.
func (f *feed) arrivalsOf(run *Run) bool {
	return run.sc == f.src.sc && run.seed == f.src.seed
}

// serviceOf reports whether f draws the service times of the first nc
// copies of the requests of run's single pool sp: reads of the same table
// with the same stream.
func (f *feed) serviceOf(run *Run, sp *pool, nc uint64) bool {
	return f.blk.svc != nil && nc <= f.blk.nc && run.pService == f.blk.prefix && run.pureTable(sp, f.blk.svc)
}

// fill draws the block that begins at batch base: its arrivals, and the
// service times of its requests' copies.
func (f *feed) fill(base int64) {
	f.base, f.arr = base, f.arr[:0]
	for i := base; i < base+f.nb && (f.stop < 0 || i < f.stop); i++ {
		// The source takes batch i as a run would: the first with none
		// issued before it, every other after some.
		f.src.issued = min(i, 1)
		a, more := f.src.nextArrival(f.prev)
		if !more {
			f.stop = i
			break
		}
		f.arr = append(f.arr, a)
		f.prev = a
		if uint64(a) > uint64(MaxTime) { // a run gives up there: nothing after it is needed
			f.stop = i + 1
			break
		}
	}
	if f.blk.svc != nil {
		f.blk.fill(base*f.per, int64(len(f.arr))*f.per)
	}
}

// arrival returns the time of batch i, which the block holds or which is
// past the end of the arrivals (false).
func (f *feed) arrival(i int64) (int64, bool) {
	if f.stop >= 0 && i >= f.stop {
		return 0, false
	}
	if i < f.base || i >= f.base+int64(len(f.arr)) {
		panic("sim: a run in lockstep took a batch outside its feed's block")
	}
	return f.arr[i-f.base], true
}

// lockstep is runs of one replication, every one taken by the direct path,
// going in lockstep: their feed, and the shared queue of those that share
// one (nil: none do).
type lockstep struct {
	ds []*direct
	f  *feed
	q  *sharedQueue
}

// newLockstep sets up runs (of sc, one seed, the first of strategy spec)
// to go in lockstep, with their compact tables from tables.
func newLockstep(sc *Scenario, runs []*Run, spec *StrategySpec, tables *Tables) (*lockstep, error) {
	// The feed's own run draws the arrivals: a run of the first run's
	// strategy and seed, whose counts nothing reads.
	seed := runs[0].seed
	src, err := newRun(sc, spec, seed, tables)
	if err != nil {
		return nil, err
	}
	g := &lockstep{f: newFeed(src, runs), ds: make([]*direct, len(runs))}
	for k, run := range runs {
		g.ds[k], _ = run.beginDirect(g.f)
	}
	// The single pool's FIFOs, shared by the runs that can (on the first
	// such run's pool), where two or more can.
	for _, d := range g.ds {
		if d.fed && d.rep == nil && d.hedgeOf == nil {
			g.q = newSharedQueue(sc, d.run.pools[d.single].spec, seed, tables, g.f)
			break
		}
	}
	var sharing []*direct
	for _, d := range g.ds {
		if g.q.shares(d) {
			sharing = append(sharing, d)
		}
	}
	if len(sharing) < 2 {
		g.q = nil
		return g, nil
	}
	for _, d := range sharing {
		d.queue, d.qFirst = g.q, d.run.pools[d.single].first
	}
	return g, nil
}

// run takes the runs' requests, a block at a time: the feed draws it, the
// shared queue's engine takes it, then each run.
func (g *lockstep) run() {
	f := g.f
	for base := int64(0); ; base += f.nb {
		left := false
		for _, d := range g.ds {
			left = left || !d.over
		}
		if !left {
			return
		}
		f.fill(base)
		if g.q != nil && !g.q.eng.over {
			g.q.step(base*f.per, base, base+f.nb)
		}
		for _, d := range g.ds {
			if !d.over {
				d.step(base + f.nb)
			}
		}
	}
}
