package sim

import (
	"math"
	"math/bits"
)

// histDigits is the HdrHistogram precision: 3 significant digits, so a
// bucket is at most 1/1024 of its values wide and a bucket's midpoint is
// within 1/2048 (0.05 %) of any value in it. The histogram covers 1 ns to
// MaxTime, every latency a run can produce, in memory that does not grow
// with the number of requests.
const histDigits = 3

// latencies records answer latencies (ns): counts in HdrHistogram's bucket
// layout for the percentiles, and the exact minimum and maximum beside it.
// Recording is an index computation and an increment. The counts are kept
// in chunks of chunkLen, made when a latency first falls in one: the latencies
// of a run span a few powers of two, so a run touches a few of the 53
// chunks (tens of KB) instead of the whole layout (430 KB). Percentiles
// are read from the chunks by HdrHistogram's rule (TestQuantilesAsHdr
// checks them against the library's).
type latencies struct {
	chunks   [histChunks]*[chunkLen]int64 // by index >> chunkBits; nil: no count in it
	n        int64
	min, max int64
}

const (
	chunkBits = 10
	chunkLen  = 1 << chunkBits
	// histChunks is the number of chunks of histLen counts (TestHistChunks
	// checks): a constant, so that a count's chunk and place in it are
	// found without a bounds check on either.
	histChunks = 54
)

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

// histLowest and histSize are the lowest value and the width of the bucket
// at index i: HdrHistogram's valueFromFlatIndex and the size of its
// equivalent value range.
func histLowest(i int) (lowest, size int64) {
	bucket := i>>subHalfMag - 1
	sub := int64(i&(1<<subHalfMag-1)) + 1<<subHalfMag
	if bucket < 0 {
		sub -= 1 << subHalfMag
		bucket = 0
	}
	return sub << uint(bucket), 1 << uint(bucket)
}

// histLen is the number of counts HdrHistogram keeps for 1 ns to MaxTime:
// its countsLen, (buckets + 1) half-buckets of sub-buckets, where a bucket
// doubles the range until MaxTime is covered (TestHistLenAsHdr checks it
// against the library's, which allocates the 430 KB to say so).
var histLen = func() int {
	buckets := 1
	for v := int64(1) << subMag; v <= MaxTime; v <<= 1 { // a value equal to the bound needs one more
		if v > math.MaxInt64/2 {
			buckets++
			break
		}
		buckets++
	}
	return (buckets + 1) << subHalfMag
}()

func newLatencies() *latencies {
	return &latencies{min: MaxTime + 1, max: -1}
}

// record counts latency v (at most MaxTime, as every time is; 0 counts as
// 1 ns, the histogram's lowest).
func (l *latencies) record(v int64) {
	v = max(v, 1)
	i := histIndex(v)
	if c := l.chunks[i>>chunkBits]; c != nil {
		c[i&(chunkLen-1)]++
	} else {
		l.chunk(i)[i&(chunkLen-1)] = 1
	}
	l.n++
	l.min = min(l.min, v)
	l.max = max(l.max, v)
}

// chunk makes the chunk holding index i.
func (l *latencies) chunk(i int) *[chunkLen]int64 {
	c := new([chunkLen]int64)
	l.chunks[i>>chunkBits] = c
	return c
}

func (l *latencies) merge(o *latencies) {
	for k, oc := range o.chunks {
		if oc == nil {
			continue
		}
		c := l.chunks[k]
		if c == nil {
			c = l.chunk(k << chunkBits)
		}
		for i, n := range oc {
			c[i] += n
		}
	}
	l.n += o.n
	l.min = min(l.min, o.min)
	l.max = max(l.max, o.max)
}

func (l *latencies) count() int64 { return l.n }

// quantile returns the latency at quantile p (0..1): the exact minimum at 0
// and maximum at 1, else the midpoint of the histogram bucket that holds the
// sample quantile (HdrHistogram's rank rule), kept within [min, max].
func (l *latencies) quantile(p float64) int64 {
	return l.quantiles([]float64{p})[0]
}

// quantiles returns quantile(p) for each of ps, in one pass over the counts
// when ps are in increasing order (each index is added once, not once per p).
func (l *latencies) quantiles(ps []float64) []int64 {
	out := make([]int64, len(ps))
	// The walk's place: index j of chunk k was the last counted (-1: none
	// of chunk k yet), at is the count up to and with it, cum the count
	// before chunk k.
	var cum, at, last int64
	k, j := 0, -1
	for i, p := range ps {
		switch {
		case p <= 0:
			out[i] = l.min
			continue
		case p >= 1:
			out[i] = l.max
			continue
		case l.n == 0:
			continue
		}
		rank := percentileRank(100*p, l.n)
		if rank < last { // below the place reached: start again
			cum, at, k, j = 0, 0, 0, -1
		}
		last = rank
		// Index j is the first whose cumulative count reaches rank if it
		// reached the previous rank and reaches this one; else walk on.
		for j < 0 || at < rank {
			c := l.chunks[k]
			if j < 0 { // a new chunk: skip it whole if rank lies past it
				var sum int64
				if c != nil { // nil: none
					for _, n := range c {
						sum += n
					}
				}
				if cum+sum < rank {
					cum += sum
					at = cum
					k++
					continue
				}
			}
			for j+1 < len(c) {
				j++
				if at += c[j]; at >= rank {
					break
				}
			}
			if at < rank { // chunk k counted to its end: on to the next
				cum, k, j = at, k+1, -1
			}
		}
		lowest, size := histLowest(k<<chunkBits + j)
		out[i] = min(max(lowest+size/2, l.min), l.max)
	}
	return out
}

// percentileRank is HdrHistogram's rank of a percentile (0..100] among
// total counts: the count the cumulative count must reach, in [1, total].
func percentileRank(percentile float64, total int64) int64 {
	if percentile > 100 {
		percentile = 100
	}
	rank := (percentile/100)*float64(total) + 0.5
	if !(rank >= 1) {
		return 1
	}
	if rank >= float64(total) {
		return total
	}
	return int64(rank)
}
