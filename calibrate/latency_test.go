package calibrate

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func TestQuantileTable(t *testing.T) {
	// 0..1000 ns: the type-7 quantile at p is 1000p exactly.
	s := make([]float64, 1001)
	for i := range s {
		s[i] = float64(1000 - i)
	}
	d := QuantileTable(s, 1001)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []float64{0, 0.5, 0.99, 0.999, 1} {
		if got := d.Quantile(p); math.Abs(got-1000*p) > 1e-9 {
			t.Errorf("p%g: %g, want %g", p*100, got, 1000*p)
		}
	}
	if s[0] != 1000 {
		t.Error("QuantileTable sorted its argument in place")
	}
}

// An exponential sample with mean 1 ms: the table's p99 is near the
// exponential's, -ln(0.01) ms, within the sampling error of 100000 draws
// (standard error of the p99 estimate about 1%).
func TestQuantileTableTail(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := make([]float64, 100000)
	for i := range s {
		s[i] = 1e6 * r.ExpFloat64()
	}
	d := QuantileTable(s, 1001)
	want := -math.Log(0.01) * 1e6
	if got := d.Quantile(0.99); math.Abs(got-want)/want > 0.05 {
		t.Errorf("p99 %g, want %g within 5%%", got, want)
	}
	st := Summarise(s)
	if math.Abs(st.CV-1) > 0.02 || math.Abs(st.Mean-1e6)/1e6 > 0.02 {
		t.Errorf("exponential: mean %g CV %g, want 1e6 and 1", st.Mean, st.CV)
	}
}

func TestSummariseSmall(t *testing.T) {
	st := Summarise([]float64{3, 1, 2})
	if st.N != 3 || st.Min != 1 || st.Max != 3 || st.P50 != 2 || st.Mean != 2 || st.Std != 1 {
		t.Errorf("%+v", st)
	}
	if (Summarise(nil) != Stats{}) {
		t.Error("empty sample")
	}
}

func TestHardware(t *testing.T) {
	if h := Hardware(); h == "" {
		t.Error("no hardware description")
	}
}

func TestCPUModelNamesFeatures(t *testing.T) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	m := CPUModel()
	if strings.Contains(string(data), "avx2") && !strings.Contains(m, "avx2") {
		t.Errorf("CPU %q does not name avx2, which /proc/cpuinfo lists", m)
	}
	if strings.Contains(string(data), "cpu MHz") && !strings.Contains(m, "MHz") {
		t.Errorf("CPU %q does not give the clock", m)
	}
	t.Logf("CPU: %s; hardware: %s", m, Hardware())
}
