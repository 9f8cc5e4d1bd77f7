package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// plainSampleFile is a random sample file of plain decimals (ms, up to 4
// decimals), 1 to n lines: every third trial with some "\r\n" line ends,
// every even one without a final newline.
func plainSampleFile(rng *rand.Rand, trial, n int) []byte {
	var b []byte
	for i := range 1 + rng.IntN(n) {
		b = strconv.AppendFloat(b, math.Round(rng.ExpFloat64()*150*1e4)/1e4, 'f', -1, 64)
		if trial%3 == 1 && i%7 == 0 {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	if trial%2 == 0 {
		b = b[:len(b)-1] // no final newline
	}
	return b
}

// The fast path reads plain sample files as the general one does, and
// leaves every other file to it.
func TestPlainValuesAsGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 200 {
		b := plainSampleFile(rng, trial, 300)
		fast, ok := plainValues(b)
		slow, err := parseValuesGeneral(b, false)
		if !ok || err != nil || fmt.Sprint(fast) != fmt.Sprint(slow) {
			t.Fatalf("trial %d: fast %v (%v), general %v (%v)", trial, len(fast), ok, len(slow), err)
		}
	}
	for _, s := range []string{"", "\n", "latency_us\n5\n", "# c\n5\n", "5\n\n6\n", " 5\n", "5 \n", "1e3\n", "-1\n", "0.5,3\n", "99999999999999\n"} {
		if _, ok := plainValues([]byte(s)); ok {
			t.Errorf("%q taken by the fast path", s)
		}
	}
}

// TestPlainValuesFromAsPlainValues: parsing a file as it is read gives
// plainValues' values and verdict on the whole file, with lines split across
// reads (buffers of 24 bytes and more, longer than any plain line), and
// refuses a file over the limit and a directory.
func TestPlainValuesFromAsPlainValues(t *testing.T) {
	defer func(n int) { plainBuffer = n }(plainBuffer)
	rng := rand.New(rand.NewPCG(9, 10))
	var inputs []string
	for trial := range 60 {
		inputs = append(inputs, string(plainSampleFile(rng, trial, 200)))
	}
	inputs = append(inputs, "", "\n", "5\n\n", "5\n\n6\n", "latency_us\n5\n", "5\n6 \n", "1\n2\n3", "12345678901234567890123\n",
		strings.Repeat("1", 100)+"\n")
	dir := t.TempDir()
	for _, size := range []int{24, 37, 64 << 10} {
		plainBuffer = size
		for i, in := range inputs {
			path := filepath.Join(dir, fmt.Sprintf("v%d.txt", i))
			if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := plainValuesFrom(f, MaxDataFileBytes)
			f.Close()
			want, wantOK := plainValues([]byte(in))
			if err != nil || ok != wantOK || ok && !slices.Equal(got, want) {
				t.Errorf("buffer %d, input %d (%.30q): %d values, ok %v, err %v; plainValues %d values, ok %v",
					size, i, in, len(got), ok, err, len(want), wantOK)
			}
		}
	}
	f, err := os.Open(filepath.Join(dir, "v0.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := plainValuesFrom(f, 3); err == nil || !strings.Contains(err.Error(), "larger than the limit of 3 bytes") {
		t.Errorf("a file over the limit: %v", err)
	}
	if d, err := os.Open(dir); err == nil {
		defer d.Close()
		if _, _, err := plainValuesFrom(d, MaxDataFileBytes); err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("a directory: %v", err)
		}
	}
}

// FuzzValuesFromFile: a latency file on disk gives the values, or the error,
// that its bytes give in memory, whichever way it is read (as it streams in,
// or whole).
func FuzzValuesFromFile(f *testing.F) {
	f.Add([]byte("10\n20.5\r\n30"))
	f.Add([]byte("latency_us\n100\n200\n"))
	f.Add([]byte("5\n\n6\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "v.txt"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p := &distParser{read: diskReader(dir), open: diskOpener(dir)}
		got, err := p.values("v.txt", false)
		want, werr := parseValues(data, false)
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("from the file: %v; in memory: %v", err, werr)
		case err != nil && !strings.Contains(err.Error(), strings.TrimPrefix(werr.Error(), "line ")):
			t.Fatalf("from the file: %v; in memory: %v", err, werr)
		case err == nil && !slices.Equal(got, want):
			t.Fatalf("from the file %d values, in memory %d", len(got), len(want))
		}
	})
}
