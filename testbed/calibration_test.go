package testbed

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/collagesim/collagesim/scenarios"
)

// The calibrated network is half of each quantile of the per-task overhead
// table, not the sum of the RPC and load-balancer tables' quantiles.
func TestCalibratedNetworkFromTaskTable(t *testing.T) {
	sc, meta, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	ov := Overheads{RPCQuantiles: make([]time.Duration, 101), LBQuantiles: make([]time.Duration, 101), TaskQuantiles: make([]time.Duration, 101)}
	for i := range ov.TaskQuantiles {
		ov.RPCQuantiles[i] = time.Duration(i) * time.Millisecond
		ov.LBQuantiles[i] = time.Duration(i) * time.Millisecond
		ov.TaskQuantiles[i] = time.Duration(i) * time.Millisecond / 10 // 0 .. 10 ms
	}
	text, _, err := Calibrated(sc, meta.Text, ov, 2, "p.toml")
	if err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(l, "network = ") {
			line = l
		}
	}
	// Virtual one way: wall / 2 x scale 2 = the wall value: 0, 0.1, .., 10 ms.
	if !strings.Contains(line, "values = [0.0000, 0.1000,") || !strings.HasSuffix(line, ", 9.9000, 10.0000] }") {
		t.Errorf("network line %q, want the task table halved and scaled: [0.0000, 0.1000, .., 10.0000]", line)
	}
}

func TestSameInstantCorr(t *testing.T) {
	var xs [][2]int64
	for b := range 100 { // batches of 3 sharing a due instant, each batch with its own delay
		for k := range 3 {
			xs = append(xs, [2]int64{int64(b) * 1000, int64(b%7)*100 + int64(k)})
		}
	}
	if c, n := sameInstantCorr(xs); n != 200 || !(c > 0.99) {
		t.Errorf("shared delays: correlation %.3f over %d pairs, want > 0.99 over 200", c, n)
	}
	var ys [][2]int64
	for b := range 100 { // pairs with opposite delays
		ys = append(ys, [2]int64{int64(b), int64(b % 5)}, [2]int64{int64(b), int64(4 - b%5)})
	}
	if c, _ := sameInstantCorr(ys); !(c < -0.99) {
		t.Errorf("opposite delays: correlation %.3f, want about -1", c)
	}
	if c, n := sameInstantCorr(xs[:10]); !math.IsNaN(c) || n != 6 {
		t.Errorf("few pairs: %v over %d, want NaN over 6", c, n)
	}
}
