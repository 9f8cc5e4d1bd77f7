package calibrate

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/collagesim/collagesim/sim"
)

// Stats summarises a latency sample, in nanoseconds.
type Stats struct {
	N                       int
	Mean, Std, CV           float64
	Min, P50, P90, P99, Max float64
	P999                    float64
}

// Summarise computes Stats of samples (which it sorts in place).
func Summarise(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	sort.Float64s(samples)
	n := float64(len(samples))
	mean := 0.0
	for _, v := range samples {
		mean += v
	}
	mean /= n
	ss := 0.0
	for _, v := range samples {
		ss += (v - mean) * (v - mean)
	}
	std := 0.0
	if len(samples) > 1 {
		std = math.Sqrt(ss / (n - 1))
	}
	return Stats{
		N: len(samples), Mean: mean, Std: std, CV: std / mean,
		Min: samples[0], Max: samples[len(samples)-1],
		P50: quantileSorted(samples, 0.5), P90: quantileSorted(samples, 0.9),
		P99: quantileSorted(samples, 0.99), P999: quantileSorted(samples, 0.999),
	}
}

// quantileSorted interpolates linearly between order statistics (the
// "type 7" estimator of R and NumPy's default).
func quantileSorted(s []float64, p float64) float64 {
	h := p * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// QuantileTable turns a sample into a sim.DistQuantiles distribution with
// points values at evenly spaced probabilities 0, 1/(points-1), ..., 1, in
// whole nanoseconds. The ends are the sample's minimum and maximum, so the
// table keeps the measured tail; 1001 points resolve p99.9.
func QuantileTable(samples []float64, points int) sim.Dist {
	if len(samples) == 0 {
		panic("calibrate: quantile table of no samples")
	}
	if points < 2 {
		panic(fmt.Sprintf("calibrate: quantile table needs >= 2 points, got %d", points))
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	vals := make([]float64, points)
	for i := range vals {
		vals[i] = math.Round(quantileSorted(s, float64(i)/float64(points-1)))
		if i > 0 && vals[i] < vals[i-1] {
			vals[i] = vals[i-1]
		}
	}
	return sim.Dist{Kind: sim.DistQuantiles, Values: vals}
}

// timeRuns calls run warmup times untimed, then n times timed, and returns the
// n durations in nanoseconds. The clock is the monotonic wall clock: this is
// a measurement of the host, not part of the simulation.
func timeRuns(warmup, n int, run func() error) ([]float64, error) {
	for i := range warmup {
		if err := run(); err != nil {
			return nil, fmt.Errorf("warm-up run %d: %w", i, err)
		}
	}
	out := make([]float64, n)
	for i := range out {
		start := time.Now()
		err := run()
		out[i] = float64(time.Since(start).Nanoseconds())
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i, err)
		}
	}
	return out, nil
}

// ms formats nanoseconds as milliseconds for reports.
func ms(ns float64) string { return fmt.Sprintf("%.3f ms", ns/1e6) }
