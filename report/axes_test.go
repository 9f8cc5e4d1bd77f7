package report

import (
	"testing"
)

// Axes get five to seven labelled ticks at round numbers.
func TestNiceTicks(t *testing.T) {
	for _, c := range []struct{ min, max float64 }{{0, 1300}, {1.8, 3.35}, {0, 1}, {89.4, 91.6}, {260, 327}, {0, 182}, {105, 1540}} {
		var labels []string
		for _, tk := range (niceTicks{}).Ticks(c.min, c.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) < 5 || len(labels) > 7 {
			t.Errorf("[%v, %v]: %d labels %q, want 5 to 7", c.min, c.max, len(labels), labels)
		}
	}
}
