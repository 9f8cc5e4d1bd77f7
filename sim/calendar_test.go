package sim

import (
	"sort"
	"testing"
)

// The calendar pops events in (time, scheduling order), ties included,
// against a sorted reference, under interleaved pushes and pops.
func TestCalendarOrder(t *testing.T) {
	r := NewStream(1, "calendar-test")
	var c calendar
	type ref struct {
		t   int64
		seq int
	}
	var pending []ref
	seq := 0
	now := int64(0)
	for step := 0; step < 100_000; step++ {
		if len(pending) == 0 || r.IntN(3) > 0 {
			at := now + int64(r.IntN(50)) // small range: many ties
			c.push(at, event{kind: evReqTimer, b: int64(seq)})
			// Keep the reference sorted: after every event of the same time.
			k := sort.Search(len(pending), func(i int) bool { return pending[i].t > at })
			pending = append(pending, ref{})
			copy(pending[k+1:], pending[k:])
			pending[k] = ref{at, seq}
			seq++
			continue
		}
		want := pending[0]
		pending = pending[1:]
		e := c.pop()
		if e.t != want.t || e.b != int64(want.seq) {
			t.Fatalf("step %d: popped (t %d, #%d), want (t %d, #%d)", step, e.t, e.b, want.t, want.seq)
		}
		if e.t < now {
			t.Fatalf("step %d: time went back from %d to %d", step, now, e.t)
		}
		now = e.t
	}
	if c.Len() != len(pending) {
		t.Fatalf("calendar holds %d events, want %d", c.Len(), len(pending))
	}
}
