package sim

// Service times drawn ahead of their need. Where a pool's service time is a
// read of its compact sample table (no straggler model covers its servers),
// the draw of a task is a pure function of its key. The direct path takes
// requests and groups in order of their ids, so it draws the next aheadN ids'
// times in one loop: the table reads of that loop do not depend on each
// other, and the processor overlaps their cache misses, where one read per
// task, on the path of everything the task decides, waits for each. A trace
// of 137,594 samples is a 550 KB table, larger than many cores' L2 caches.
//
// The values are those serviceTimeOf returns for the same keys; a key the
// block does not hold (an id behind it, a copy it does not cover) is drawn
// as before.

const aheadN = 64

// ahead holds the service times of tasks with keys hi | id<<3 | c, for ids
// base..base+n-1 and c in [c0, c0+nc), B = 0: copies 0..nc-1 of requests
// (hi = 0, c0 = 0), or a group's task (hi = 1<<63, c0 = its salt, nc = 1).
// A run's own block (n = aheadN) is drawn when it is made and moves on as
// the ids do; a feed's block (shared) is drawn by the feed, and a key past
// it is drawn as usual.
type ahead struct {
	svc    nsTable // the table; nil: nothing is drawn ahead (nc = 0)
	prefix uint64  // the service stream's prefix
	hi     uint64
	c0, nc uint64
	base   int64  // the block's first id
	lo     uint64 // the key.A of its first task: hi | base<<3 | c0
	span   uint64 // n<<3: the keys' offsets in the block are below it
	shared bool   // a feed's block: only the feed draws it
	v      []int64
}

func newAhead(svc nsTable, prefix, hi, c0, nc uint64) ahead {
	if svc == nil || nc == 0 || nc > 8 || c0+nc > 8 {
		return ahead{}
	}
	a := ahead{svc: svc, prefix: prefix, hi: hi, c0: c0, nc: nc, span: aheadN << 3, v: make([]int64, aheadN*nc)}
	a.fill(0, aheadN)
	return a
}

// get returns the service time of the task with key, if the block holds it
// or the next block will; false where it must be drawn as usual.
func (a *ahead) get(key drawKey) (int64, bool) {
	if v, ok := a.held(key); ok {
		return v, true
	}
	return a.next(key)
}

// held returns the service time of the task with key if the block holds
// it: get without the next block (small enough to inline where a task is
// sent).
func (a *ahead) held(key drawKey) (int64, bool) {
	// The key's place in the block: an unsigned offset, so a key below the
	// block, or of another kind (hi), falls outside it.
	if off := key.A - a.lo; key.B == 0 && off < a.span && off&7 < a.nc {
		return a.v[(off>>3)*a.nc+off&7], true
	}
	return 0, false
}

// next is get for a key outside the block: the next block is drawn if the
// key is in it or beyond.
func (a *ahead) next(key drawKey) (int64, bool) {
	if a.svc == nil || a.shared || key.B != 0 || key.A&(1<<63) != a.hi {
		return 0, false
	}
	c := key.A&7 - a.c0
	id := int64(key.A &^ (1 << 63) >> 3)
	if c >= a.nc || id < a.base+aheadN {
		return 0, false
	}
	a.fill(id, aheadN)
	return a.v[c], true
}

// cover draws the next block from id on unless the block holds ids id to
// id+n-1 (or cannot: n over aheadN), so that get and held find them.
func (a *ahead) cover(id, n int64) {
	if a.svc != nil && !a.shared && (id < a.base || id+n > a.base+aheadN) && n <= aheadN {
		a.fill(id, aheadN)
	}
}

// fill draws the block of n ids from id on (v holds them): first every
// table index, then the reads, in a loop short enough that the processor
// has many of them in flight at once.
func (a *ahead) fill(id, n int64) {
	a.base, a.lo, a.span = id, a.hi|uint64(id)<<3|a.c0, uint64(n)<<3
	v := a.v[:n*int64(a.nc)]
	tableIndices(v, a.lo, a.nc, a.prefix, uint64(len(a.svc)))
	svc := a.svc
	for i, x := range v {
		v[i] = max(1, int64(svc[x]))
	}
}

// tableIndices sets v to the table indices (of a table of size values) of
// the draws of the keys drawKey{A: k0 + i<<3 + c} for copies c < nc of the
// ids i in order: the keys of copies c0+c of id+i where k0 is
// hi | id<<3 | c0 (c0+nc is at most 8). A function of its own with a loop
// for each common copy count, so that the loops keep their values in
// registers.
func tableIndices(v []int64, k0, nc, prefix, size uint64) {
	switch nc {
	case 1:
		for i := range v {
			v[i] = int64(keyIndex(keyIn(prefix, k0+uint64(i)<<3, 0), size))
		}
	case 2:
		for i := 0; i+1 < len(v); i += 2 {
			k := k0 + uint64(i)<<2 // id i/2: k0 + (i/2)<<3
			v[i] = int64(keyIndex(keyIn(prefix, k, 0), size))
			v[i+1] = int64(keyIndex(keyIn(prefix, k+1, 0), size))
		}
	default:
		k := k0
		for i := 0; i < len(v); k += 8 {
			for c := range nc {
				v[i] = int64(keyIndex(keyIn(prefix, k+c, 0), size))
				i++
			}
		}
	}
}

// pureTable reports whether every draw of pool p is a read of table svc:
// p's table is svc and no straggler model covers its servers.
func (run *Run) pureTable(p *pool, svc nsTable) bool {
	if svc == nil || len(p.svc) != len(svc) || &p.svc[0] != &svc[0] {
		return false
	}
	for s := p.first; s < p.first+p.n; s++ {
		if len(run.servers[s].strag) > 0 {
			return false
		}
	}
	return true
}
