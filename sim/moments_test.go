package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// moments gives the exactly rounded mean and variance, whatever the order
// the values come in, up to values of 2^62 ns.
func TestMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for trial := range 50 {
		n := 1 + r.IntN(2000)
		xs := make([]int64, n)
		for i := range xs {
			xs[i] = int64(r.Uint64N(uint64(MaxTime))>>r.UintN(63)) + 1
		}
		if trial == 0 {
			for i := range xs {
				xs[i] = MaxTime // the largest sums
			}
		}
		var a, b moments
		for _, x := range xs {
			a.add(x)
		}
		for _, i := range r.Perm(n) {
			b.add(xs[i])
		}
		m1, v1 := a.meanVar(int64(n))
		m2, v2 := b.meanVar(int64(n))
		if m1 != m2 || v1 != v2 {
			t.Fatalf("trial %d: order changed the result: %v %v against %v %v", trial, m1, v1, m2, v2)
		}
		// Reference: exact rationals.
		sum, sq := new(big.Rat), new(big.Rat)
		for _, x := range xs {
			bx := new(big.Rat).SetInt64(x)
			sum.Add(sum, bx)
			sq.Add(sq, new(big.Rat).Mul(bx, bx))
		}
		bn := new(big.Rat).SetInt64(int64(n))
		mean := new(big.Rat).Quo(sum, bn)
		wantMean, _ := new(big.Rat).Quo(mean, big.NewRat(1e6, 1)).Float64()
		wantVar := 0.0
		if n > 1 {
			num := new(big.Rat).Sub(sq, new(big.Rat).Mul(sum, mean))
			num.Quo(num, new(big.Rat).SetInt64(int64(n-1)))
			wantVar, _ = num.Quo(num, big.NewRat(1e12, 1)).Float64()
		}
		if m1 != wantMean || v1 != wantVar {
			t.Fatalf("trial %d (seed: rand.NewPCG(4, 4); go test ./sim -run TestMoments): mean %v var %v, want %v %v", trial, m1, v1, wantMean, wantVar)
		}
		if trial == 0 && (wantVar != 0 || math.Abs(wantMean-float64(MaxTime)/1e6) > 1) {
			t.Fatalf("constant values: mean %v var %v", wantMean, wantVar)
		}
	}
}

// A queue area of 128 bits is exact and its ratio correctly rounded.
func TestU128Ratio(t *testing.T) {
	var a u128
	a.addProduct(1<<40, uint64(MaxTime))
	a.addProduct(3, 5)
	want, _ := new(big.Rat).SetFrac(new(big.Int).Add(new(big.Int).Mul(big.NewInt(1<<40), big.NewInt(MaxTime)), big.NewInt(15)), big.NewInt(7)).Float64()
	if got := a.ratio(7); got != want {
		t.Fatalf("ratio %v, want %v", got, want)
	}
}
