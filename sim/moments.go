package sim

import (
	"math/big"
	"math/bits"
)

// Sums the metrics accumulate are exact integers: the mean and variance of
// the latencies and the time-averaged queue lengths do not depend on the
// order in which answers and queue changes are counted, and carry no
// rounding error however long the run.

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

// add adds v.
func (a *u128) add(v uint64) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, v, 0)
	a.hi += c
}

// addProduct adds x*y.
func (a *u128) addProduct(x, y uint64) {
	hi, lo := bits.Mul64(x, y)
	var c uint64
	a.lo, c = bits.Add64(a.lo, lo, 0)
	a.hi += hi + c
}

// addU128 adds v.
func (a *u128) addU128(v u128) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, v.lo, 0)
	a.hi += v.hi + c
}

func (a u128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	return b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(a.lo))
}

// ratio returns a/d rounded to the nearest float64, d > 0.
func (a u128) ratio(d int64) float64 {
	f, _ := new(big.Rat).SetFrac(a.big(), big.NewInt(d)).Float64()
	return f
}

// moments holds the sum of latencies (ns) and the sum of their squares: at
// most 2^40 values (the events a run may have) below 2^62 ns, so the sum
// fits 128 bits and the sum of squares 192.
type moments struct {
	sum u128
	sq  [3]uint64 // little-endian words
}

func (m *moments) add(v int64) {
	m.sum.add(uint64(v))
	hi, lo := bits.Mul64(uint64(v), uint64(v))
	var c uint64
	m.sq[0], c = bits.Add64(m.sq[0], lo, 0)
	m.sq[1], c = bits.Add64(m.sq[1], hi, c)
	m.sq[2] += c
}

// meanVar returns the mean (ms) and the sample variance (ms^2, 0 for one
// value) of the n values added, each rounded once from its exact value.
func (m *moments) meanVar(n int64) (mean, variance float64) {
	bn := big.NewInt(n)
	sum := m.sum.big()
	mean, _ = new(big.Rat).SetFrac(sum, new(big.Int).Mul(bn, big.NewInt(1e6))).Float64()
	if n < 2 {
		return mean, 0
	}
	sq := new(big.Int).SetUint64(m.sq[2])
	for _, w := range []uint64{m.sq[1], m.sq[0]} {
		sq.Lsh(sq, 64).Or(sq, new(big.Int).SetUint64(w))
	}
	// (n*sq - sum^2) / (n*(n-1)) in ns^2, then / 1e12 for ms^2.
	num := new(big.Int).Mul(bn, sq)
	num.Sub(num, new(big.Int).Mul(sum, sum))
	den := new(big.Int).Mul(bn, big.NewInt(n-1))
	den.Mul(den, big.NewInt(1e12))
	variance, _ = new(big.Rat).SetFrac(num, den).Float64()
	return mean, variance
}
