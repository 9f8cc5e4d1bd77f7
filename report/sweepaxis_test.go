package report

import (
	"math"
	"strings"
	"testing"
)

func TestShortKey(t *testing.T) {
	keys := []string{"pools.scnn.servers", "arrivals.rate", "pools.collage.servers"}
	if got := shortKey(keys, 1); got != "rate" {
		t.Errorf("shortKey: %q", got)
	}
	if got := shortKey(keys, 0); got != "pools.scnn.servers" {
		t.Errorf("shortKey of an ambiguous key: %q", got)
	}
}

func TestParseValue(t *testing.T) {
	for _, c := range []struct {
		in   string
		v    float64
		unit string
		ok   bool
	}{
		{"9", 9, "", true},
		{"0.25", 0.25, "", true},
		{"60/s", 60, "/s", true},
		{"1.5/ms", 1500, "/s", true},
		{"120/min", 2, "/s", true},
		{"250ms", 250, "ms", true},
		{"2s", 2000, "ms", true},
		{"first", 0, "", false},
		{"60/x", 0, "", false},
	} {
		v, unit, ok := parseValue(c.in)
		if ok != c.ok || (ok && (math.Abs(v-c.v) > 1e-9 || unit != c.unit)) {
			t.Errorf("parseValue(%q) = %v, %q, %v; want %v, %q, %v", c.in, v, unit, ok, c.v, c.unit, c.ok)
		}
	}
}

// A categorical sweep parameter gets the values as written, in order.
func TestCategoricalSweep(t *testing.T) {
	res := sweepFixture()
	for i := range res.Points {
		p := &res.Points[i].Params[0]
		p.Key = "strategies.collage.decoder"
		p.Value = map[string]string{"6": "first", "9": "deadline", "12": "deadline-resend"}[p.Value]
	}
	res.SweepParams[0] = "strategies.collage.decoder"
	ax := sweepAxis(res, 0)
	if ax.numeric || strings.Join(ax.raw, ",") != "first,deadline,deadline-resend" {
		t.Errorf("axis %+v", ax)
	}
	if _, err := Figures(res, Options{}); err != nil {
		t.Fatal(err)
	}
}

// Swept values too close for their labels get evenly spaced ticks instead.
func TestCrowdedSweepTicks(t *testing.T) {
	crowded := axisValues{numeric: true, raw: []string{"0", "0.01", "0.02", "0.05", "0.1", "0.2"}, x: []float64{0, 0.01, 0.02, 0.05, 0.1, 0.2}}
	if !crowded.crowded() {
		t.Errorf("0, 0.01, 0.02 ... 0.2: not seen as crowded")
	}
	if _, ok := crowded.ticks().(niceTicks); !ok {
		t.Errorf("crowded values still get a tick label each")
	}
	spread := axisValues{numeric: true, raw: []string{"6", "9", "12"}, x: []float64{6, 9, 12}}
	if spread.crowded() {
		t.Errorf("6, 9, 12 seen as crowded")
	}
}
