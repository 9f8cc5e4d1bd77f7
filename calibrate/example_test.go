package calibrate_test

import (
	"fmt"

	"github.com/collagesim/collagesim/calibrate"
)

// Measured latencies (ns) become a quantile table the simulator samples from.
func ExampleQuantileTable() {
	samples := []float64{1e6, 1.2e6, 1.1e6, 5e6, 1.05e6}
	d := calibrate.QuantileTable(samples, 5)
	fmt.Println(d.Kind, d.Values)
	st := calibrate.Summarise(samples)
	fmt.Printf("p50 %.2f ms, max %.1f ms\n", st.P50/1e6, st.Max/1e6)
	// Output:
	// quantiles [1e+06 1.05e+06 1.1e+06 1.2e+06 5e+06]
	// p50 1.10 ms, max 5.0 ms
}
