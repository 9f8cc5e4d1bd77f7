package sim

import "math/bits"

// eventKind says what an event is; a and b of the event mean what the kind says.
type eventKind uint8

// Event kinds. The engine is a calendar of small value-type events ordered by
// (time, sequence number), so that ties break in the order events were scheduled.
const (
	evArrival    eventKind = iota // next arrival (batch) of the workload
	evReach                       // task a (generation b) reaches its pool (after network delay)
	evFinish                      // task a finishes service b (its Task.service) on its server
	evResponse                    // task a's (generation b) answer reaches the load balancer
	evReqTimer                    // strategy timer of kind timer for the request in slot a with id b
	evGroupTimer                  // strategy timer of kind timer for group a, generation b
	evFail                        // server a fails (b: its index in Run.failRng)
	evRepair                      // server a is repaired (b as for evFail)
)

type event struct {
	t     int64
	b     int64
	a     int32
	kind  eventKind
	timer TimerKind
}

// entry is what the heap orders: the time, then the scheduling sequence in
// the high bits of key with the event's slot in the low slotBits bits. At 16
// bytes, the four children of a node share one cache line.
type entry struct {
	t   int64
	key uint64
}

const slotBits = 24 // up to 16M pending events

func (e *entry) before(f *entry) bool { return lessBit(e, f) == 1 }

// lessBit is 1 when e comes before f: a 128-bit unsigned comparison of
// (t, key) by subtraction, with no branch for the CPU to mispredict (times
// are never negative).
func lessBit(e, f *entry) int {
	_, borrow := bits.Sub64(e.key, f.key, 0)
	_, borrow = bits.Sub64(uint64(e.t), uint64(f.t), borrow)
	return int(borrow)
}

// calendar is a 4-ary min-heap of events. Cancelled events are not removed:
// their handlers check a generation number and drop them (lazy deletion).
//
// pop leaves the popped entry's place at the root empty (hole) until the
// next push or pop: a handler usually schedules one event, and a push into
// the hole sifts once, where a removal and an insertion would sift twice.
type calendar struct {
	h    []entry
	hole bool    // h[0] was popped; the next push fills it, the next pop removes it
	ev   []event // payloads by slot
	free []uint32
	seq  uint64
	// refused says push refused an event; refusedEvent is the first.
	refused      bool
	refusedEvent event
}

func (c *calendar) Len() int {
	if c.hole {
		return len(c.h) - 1
	}
	return len(c.h)
}

// push schedules e at time t. It refuses a time outside [0, MaxTime] (a
// negative one is a sum that wrapped around) and an event beyond what an
// entry's key can order (maxPending at once, maxEvents in all): it drops the
// event and keeps the first one refused in refused, for the run to stop on.
func (c *calendar) push(t int64, e event) {
	if uint64(t) > uint64(MaxTime) || c.Len() >= maxPending || c.seq >= maxEvents {
		if !c.refused {
			e.t = t
			c.refused, c.refusedEvent = true, e
		}
		return
	}
	var slot uint32
	if n := len(c.free); n > 0 {
		slot = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		slot = uint32(len(c.ev))
		c.ev = append(c.ev, event{})
	}
	e.t = t
	c.ev[slot] = e
	c.seq++
	en := entry{t: t, key: c.seq<<slotBits | uint64(slot)}
	if c.hole {
		c.hole = false
		c.place(en)
		return
	}
	c.h = append(c.h, en)
	siftUp(c.h, len(c.h)-1, en)
}

// siftUp puts en at the hole at i or above it, where it belongs.
func siftUp(h []entry, i int, en entry) {
	for i > 0 {
		p := (i - 1) / 4
		if !en.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = en
}

// pop removes the earliest event and returns it; the calendar must not be empty.
func (c *calendar) pop() event {
	if c.hole {
		c.removeHole()
	}
	c.hole = true
	slot := uint32(c.h[0].key & (1<<slotBits - 1))
	c.free = append(c.free, slot)
	return c.ev[slot]
}

// removeHole closes the hole at the root with the last entry.
func (c *calendar) removeHole() {
	c.hole = false
	n := len(c.h) - 1
	last := c.h[n]
	c.h = c.h[:n]
	if n > 0 {
		c.place(last)
	}
}

// place puts en into the hole at the root. Bottom-up: it moves the hole
// down along the smallest children to a leaf, then sifts en up from there;
// entries placed at the root mostly belong near the bottom, so this saves a
// comparison per level.
func (c *calendar) place(en entry) {
	h := c.h
	n := len(h)
	i := 0
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		m := first
		if end := first + 4; end <= n {
			m1 := first + lessBit(&h[first+1], &h[first])
			m2 := first + 2 + lessBit(&h[first+3], &h[first+2])
			d := lessBit(&h[m2], &h[m1])
			m = m1 + d*(m2-m1)
		} else {
			for j := first + 1; j < n; j++ {
				if h[j].before(&h[m]) {
					m = j
				}
			}
		}
		h[i] = h[m]
		i = m
	}
	siftUp(h, i, en)
}
