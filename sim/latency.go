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

// latencies records answer latencies (ns): counts in HdrHistogram's bucket
// layout for the percentiles, and the exact minimum and maximum beside it.
// Recording is an index computation and an increment; the HdrHistogram is
// built from the counts when percentiles are read.
type latencies struct {
	counts   []int64
	n        int64
	min, max int64
	hist     *hdr.Histogram // the counts as an HdrHistogram, built by quantile; nil after a change
}

// Bucket layout of an HdrHistogram from 1 ns with histDigits digits:
// 2^subMag sub-buckets per power of two (2048 for 3 digits), unit 1 ns.
const (
	subMag     = 11 // ceil(log2(2 * 10^histDigits))
	subHalfMag = subMag - 1
	subMask    = 1<<subMag - 1
)

// histIndex is HdrHistogram's countsIndexFor(v) for the geometry above.
func histIndex(v int64) int {
	bucket := 64 - bits.LeadingZeros64(uint64(v)|subMask) - subMag
	sub := int(v >> uint(bucket))
	return (bucket+1)<<subHalfMag + sub - 1<<subHalfMag
}

// histLen is the number of counts HdrHistogram keeps for 1 ns to MaxTime.
var histLen = len(hdr.New(1, MaxTime, histDigits).Export().Counts)

func newLatencies() *latencies {
	return &latencies{counts: make([]int64, histLen), min: MaxTime + 1, max: -1}
}

func (l *latencies) record(v int64) {
	v = min(max(v, 1), MaxTime) // times are bounded by MaxTime
	l.counts[histIndex(v)]++
	l.n++
	l.hist = nil
	l.min = min(l.min, v)
	l.max = max(l.max, v)
}

func (l *latencies) merge(o *latencies) {
	for i, c := range o.counts {
		l.counts[i] += c
	}
	l.n += o.n
	l.hist = nil
	l.min = min(l.min, o.min)
	l.max = max(l.max, o.max)
}

func (l *latencies) count() int64 { return l.n }

// h returns the counts as an HdrHistogram.
func (l *latencies) h() *hdr.Histogram {
	if l.hist == nil {
		l.hist = hdr.Import(&hdr.Snapshot{LowestTrackableValue: 1, HighestTrackableValue: MaxTime, SignificantFigures: histDigits, Counts: l.counts})
	}
	return l.hist
}

// quantile returns the latency at quantile p (0..1): the exact minimum at 0
// and maximum at 1, else the midpoint of the histogram bucket that holds the
// sample quantile (HdrHistogram's rank rule), kept within [min, max].
func (l *latencies) quantile(p float64) int64 {
	return l.quantiles([]float64{p})[0]
}

// quantiles returns quantile(p) for each of ps, non-decreasing, in one pass
// over the histogram.
func (l *latencies) quantiles(ps []float64) []int64 {
	out := make([]int64, len(ps))
	var pct []float64
	for _, p := range ps {
		if p > 0 && p < 1 {
			pct = append(pct, 100*p)
		}
	}
	his := l.h().ValueAtPercentilesSlice(pct) // each bucket's highest equivalent value
	k := 0
	for i, p := range ps {
		switch {
		case p <= 0:
			out[i] = l.min
		case p >= 1:
			out[i] = l.max
		default:
			hi := his[k]
			k++
			size := bucketSize(hi)
			mid := hi + 1 - size + size/2
			out[i] = min(max(mid, l.min), l.max)
		}
	}
	return out
}

// bucketSize is the width of the histogram bucket holding v: 1 below 2048
// (2^(digits' sub-bucket bits + 1)), then doubling with each power of two.
func bucketSize(v int64) int64 {
	if n := bits.Len64(uint64(v)); n > 11 {
		return 1 << (n - 11)
	}
	return 1
}
