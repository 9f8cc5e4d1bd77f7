package sweep

import (
	"math"
	"strings"
	"testing"
)

// FuzzParseSLO: any --slo text is an SLO with a positive, finite bound or an
// error that shows the accepted forms.
func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"p99=300ms", "within=300ms@99.9%", "p99.9=1.5s", "mean=10us", "within=1s@", "p99=", "=1ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slo, err := ParseSLO(s)
		if err != nil {
			if !strings.Contains(err.Error(), "METRIC=DURATION") {
				t.Errorf("ParseSLO(%q): %v", s, err)
			}
			return
		}
		if !(slo.Ms > 0) || math.IsInf(slo.Ms, 0) || (slo.Metric == "within") != (slo.Share > 0) || slo.Share > 1 {
			t.Errorf("ParseSLO(%q) = %+v", s, slo)
		}
	})
}

// FuzzParseShard: any --shard text is a shard 0 <= i < n or an error.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/4", "3/4", "4/4", "-1/2", "1", "a/b", " 1 / 2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err == nil && !(sh.N >= 1 && sh.I >= 0 && sh.I < sh.N) {
			t.Errorf("ParseShard(%q) = %+v", s, sh)
		}
	})
}
