package sim

import (
	"math/bits"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// histDigits is the HdrHistogram precision: 3 significant digits, so a
// bucket is at most 1/1024 of its values wide and a bucket's midpoint is
// within 1/2048 (0.05 %) of any value in it. The histogram covers 1 ns to
// MaxTime, every latency a run can produce, in memory that does not grow
// with the number of requests.
const histDigits = 3

// latencies records answer latencies (ns): an HdrHistogram for the
// percentiles, and the exact minimum and maximum beside it.
type latencies struct {
	h        *hdr.Histogram
	min, max int64
}

func newLatencies() *latencies {
	return &latencies{h: hdr.New(1, MaxTime, histDigits), min: MaxTime + 1, max: -1}
}

func (l *latencies) record(v int64) {
	v = max(v, 1)
	if err := l.h.RecordValue(v); err != nil {
		panic("sim: latency outside the histogram: " + err.Error()) // times are bounded by MaxTime
	}
	l.min = min(l.min, v)
	l.max = max(l.max, v)
}

func (l *latencies) merge(o *latencies) {
	l.h.Merge(o.h)
	l.min = min(l.min, o.min)
	l.max = max(l.max, o.max)
}

func (l *latencies) count() int64 { return l.h.TotalCount() }

// quantile returns the latency at quantile p (0..1): the exact minimum at 0
// and maximum at 1, else the midpoint of the histogram bucket that holds the
// sample quantile (HdrHistogram's rank rule), kept within [min, max].
func (l *latencies) quantile(p float64) int64 {
	switch {
	case p <= 0:
		return l.min
	case p >= 1:
		return l.max
	}
	hi := l.h.ValueAtQuantile(100 * p) // the bucket's highest equivalent value
	size := bucketSize(hi)
	mid := hi + 1 - size + size/2
	return min(max(mid, l.min), l.max)
}

// bucketSize is the width of the histogram bucket holding v: 1 below 2048
// (2^(digits' sub-bucket bits + 1)), then doubling with each power of two.
func bucketSize(v int64) int64 {
	if n := bits.Len64(uint64(v)); n > 11 {
		return 1 << (n - 11)
	}
	return 1
}
