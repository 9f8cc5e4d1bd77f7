package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// A point mass is reported exactly: every percentile and the maximum of
// 250 ms latencies are 250 ms (the bucket's upper edge, 250.085 ms, was
// reported before).
func TestPercentilesOfPointMass(t *testing.T) {
	sc := queueScenario("const10ms", 100, DispatchRoundRobin, 10)
	sc.Profile.Model("const10ms").Latency = Const(250e6)
	sc.Requests, sc.Replications = 500, 1
	m := simulate(t, sc)[0].Reps[0]
	for name, v := range map[string]Float{"p50": m.P50Ms, "p99": m.P99Ms, "p99.9": m.P999Ms, "max": m.MaxMs, "mean": m.MeanMs} {
		if v != 250 {
			t.Errorf("%s = %v ms, want exactly 250", name, v)
		}
	}
}

// Latencies far beyond any real service time are recorded as they are: a
// latency of 1e9 ms (11 days) or 1e12 ms (31 years) keeps the maximum above
// the mean and the percentiles in place (they were dropped, or became 0).
// Longer ones cannot happen: a run stops with an error past MaxTime.
func TestHugeLatenciesRecorded(t *testing.T) {
	for _, ms := range []float64{1e9, 1e12} {
		l := newLatencies()
		for range 98 {
			l.record(10e6)
		}
		l.record(int64(ms * 1e6))
		l.record(int64(ms * 1e6))
		if got := l.quantile(1); got != int64(ms*1e6) {
			t.Errorf("%g ms: max %d ns, want %d", ms, got, int64(ms*1e6))
		}
		if p := l.quantile(0.995); float64(p) < 0.999*ms*1e6 {
			t.Errorf("%g ms: p99.5 %d ns, want about %g (2 of 100 latencies are that long)", ms, p, ms*1e6)
		}
		if p := l.quantile(0.5); math.Abs(float64(p)-10e6) > 10e6/2048 {
			t.Errorf("%g ms: p50 %d ns, want 10 ms within 1/2048", ms, p)
		}
	}
}

// Every reported percentile is within half a bucket, 1/2048 of its value
// (3 significant digits, as the README states), of the exact sample
// percentile by HdrHistogram's rank rule, and between the exact minimum and
// maximum.
func TestPercentilePrecision(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, d := range testDists {
		l := newLatencies()
		xs := make([]int64, 20_000)
		for i := range xs {
			xs[i] = max(1, ns(d.Sample(r)))
			l.record(xs[i])
		}
		slices.Sort(xs)
		for _, p := range []float64{0.001, 0.1, 0.5, 0.9, 0.99, 0.999} {
			rank := min(max(int(p*float64(len(xs))+0.5), 1), len(xs))
			exact := xs[rank-1]
			got := l.quantile(p)
			if math.Abs(float64(got-exact)) > float64(exact)/2048+1 || got < xs[0] || got > xs[len(xs)-1] {
				t.Errorf("%s: quantile %g = %d ns, exact %d ns: off by more than 1/2048 (seed: rand.NewPCG(1, 1); go test ./sim -run TestPercentilePrecision)", d, p, got, exact)
			}
		}
	}
}

// flat returns l's counts as one slice in HdrHistogram's layout.
func (l *latencies) flat() []int64 {
	out := make([]int64, histLen)
	for k, c := range l.chunks {
		if c != nil {
			copy(out[k<<chunkBits:], c[:])
		}
	}
	return out
}

// histLowest agrees with the histogram's own buckets.
func TestHistLowest(t *testing.T) {
	h := hdr.New(1, MaxTime, histDigits)
	r := rand.New(rand.NewPCG(2, 2))
	for range 10_000 {
		v := int64(r.Uint64N(uint64(MaxTime-1))>>r.UintN(62)) + 1
		lo, size := histLowest(histIndex(v))
		hi := lo + size - 1
		if v < lo || v > hi || !h.ValuesAreEquivalent(lo, hi) || (lo > 1 && h.ValuesAreEquivalent(lo-1, lo)) || h.ValuesAreEquivalent(hi, hi+1) {
			t.Fatalf("value %d: bucket [%d, %d] is not the histogram's", v, lo, hi)
		}
	}
}

// hdrQuantiles is quantiles as HdrHistogram computes it: the library's
// percentiles of the same counts, each bucket's midpoint, within [min, max].
func hdrQuantiles(l *latencies, ps []float64) []int64 {
	h := hdr.Import(&hdr.Snapshot{LowestTrackableValue: 1, HighestTrackableValue: MaxTime, SignificantFigures: histDigits, Counts: l.flat()})
	out := make([]int64, len(ps))
	for i, p := range ps {
		switch {
		case p <= 0:
			out[i] = l.min
		case p >= 1:
			out[i] = l.max
		default:
			hi := h.ValueAtPercentile(100 * p) // the bucket's highest equivalent value
			size := int64(1)
			if n := bits.Len64(uint64(hi)); n > 11 {
				size = 1 << (n - 11)
			}
			out[i] = min(max(hi+1-size+size/2, l.min), l.max)
		}
	}
	return out
}

// The percentiles read from the chunks are HdrHistogram's, for latencies
// from every test distribution and their merges, percentiles in increasing
// and in any order.
func TestQuantilesAsHdr(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	ps := append([]float64{0, 1e-9, 0.001, 0.25, 0.5}, cdfProbs...)
	ps = append(ps, 0.3, 0.999999999, 1)
	merged := newLatencies()
	for _, d := range testDists {
		l := newLatencies()
		for range 1 + r.IntN(30_000) {
			l.record(max(1, ns(d.Sample(r))))
		}
		merged.merge(l)
		for _, x := range []*latencies{l, merged} {
			if got, want := x.quantiles(ps), hdrQuantiles(x, ps); !slices.Equal(got, want) {
				t.Fatalf("%s: quantiles\n%v\nHdrHistogram's\n%v (seed: rand.NewPCG(4, 4); go test ./sim -run TestQuantilesAsHdr)", d, got, want)
			}
		}
	}
	if got := newLatencies().quantiles([]float64{0.5}); got[0] != 0 {
		t.Errorf("an empty histogram's median is %d, want 0", got[0])
	}
}

// latencies counts in HdrHistogram's own bucket layout: the same values
// recorded in both give the same counts, at the edges of every power of two
// and at random values over the whole range.
func TestHistIndexMatchesHdr(t *testing.T) {
	l := newLatencies()
	h := hdr.New(1, MaxTime, histDigits)
	rec := func(v int64) {
		l.record(v)
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	for b := 0; b <= 62; b++ {
		for _, v := range []int64{1<<b - 1, 1 << b, 1<<b + 1} {
			if v >= 1 && v <= MaxTime {
				rec(v)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 3))
	for range 100_000 {
		rec(int64(r.Uint64N(uint64(MaxTime))>>r.UintN(62)) + 1)
	}
	want := h.Export().Counts
	counts := l.flat()
	if len(want) != len(counts) {
		t.Fatalf("%d counts, HdrHistogram has %d", len(counts), len(want))
	}
	for i := range want {
		if want[i] != counts[i] {
			t.Fatalf("count %d is %d, HdrHistogram's is %d (seed: rand.NewPCG(3, 3); go test ./sim -run TestHistIndexMatchesHdr)", i, counts[i], want[i])
		}
	}
}

// histLen is the length of HdrHistogram's counts for the same geometry.
func TestHistLenAsHdr(t *testing.T) {
	if want := len(hdr.New(1, MaxTime, histDigits).Export().Counts); histLen != want {
		t.Errorf("histLen %d, HdrHistogram's %d", histLen, want)
	}
}

// histChunks chunks hold histLen counts, and the last of them is needed:
// MaxTime's count falls in it.
func TestHistChunks(t *testing.T) {
	if want := (histLen + chunkLen - 1) / chunkLen; histChunks != want {
		t.Errorf("histChunks %d, the chunks of histLen (%d) counts %d", histChunks, histLen, want)
	}
	if i := histIndex(MaxTime); i>>chunkBits != histChunks-1 {
		t.Errorf("MaxTime's count in chunk %d, the last is %d", i>>chunkBits, histChunks-1)
	}
}
