package scenarios

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// plainDecimal gives ParseFloat's float64 for every string it takes, and
// leaves every other form to ParseFloat.
func TestPlainDecimalIsParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(s string) {
		t.Helper()
		got, ok := plainDecimal(s)
		want, err := strconv.ParseFloat(s, 64)
		if ok && (err != nil || math.Float64bits(got) != math.Float64bits(want)) {
			t.Fatalf("%q: %v, ParseFloat %v (%v)", s, got, want, err)
		}
	}
	for range 200_000 {
		intDigits, fracDigits := rng.IntN(9), rng.IntN(9)
		s := strconv.FormatUint(rng.Uint64N(uint64(math.Pow10(intDigits))+1), 10)
		if fracDigits > 0 {
			f := strconv.FormatUint(rng.Uint64N(uint64(math.Pow10(fracDigits))), 10)
			for len(f) < fracDigits {
				f = "0" + f
			}
			s += "." + f
		}
		check(s)
		check(strconv.FormatFloat(rng.Float64()*1000, 'f', -1, 64))
	}
	for _, s := range []string{"0", "0.0", "007.50", "123456789012345", "0.000000000000001", ".5", "5.", "277.3616", "1e3", "-1", "+2", "1.2.3", "", ".", "1234567890123456", "0x10", "1_000", "Inf", "NaN"} {
		check(s)
	}
	for _, s := range []string{"1e3", "-1", "+2", "1.2.3", "", ".", "1234567890123456", "0x10", "1_000", "Inf", "NaN", "1 2"} {
		if _, ok := plainDecimal(s); ok {
			t.Errorf("%q taken", s)
		}
	}
}
