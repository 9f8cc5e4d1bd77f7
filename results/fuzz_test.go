package results

import (
	"os"
	"strings"
	"testing"
)

// FuzzDecode: any bytes give results or an error naming the problem, never
// a panic; what decodes can be written again.
func FuzzDecode(f *testing.F) {
	good, err := os.ReadFile("testdata/run.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"version": 1, "tool": "collagesim x", "points": [{"index": 0, "strategies": [{"name": "a"}]}]}`))
	f.Add([]byte("[1, 2]"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Decode(b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "results: ") {
				t.Errorf("error without the package prefix: %v", err)
			}
			return
		}
		var sb strings.Builder
		if err := SummaryCSV(&sb, res); err != nil {
			t.Errorf("decoded results do not write: %v", err)
		}
		if _, err := JSON(res); err != nil {
			t.Errorf("decoded results do not encode: %v", err)
		}
	})
}

// FuzzParamColumn: swept values of any text give one cell each.
func FuzzParamColumn(f *testing.F) {
	for _, s := range []string{"18/s", "250ms", "6", "exp:2s", "1e308/s", "-1h", "NaN", "0.5/min"} {
		f.Add(s, "3600/h")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		name, out := ParamColumn("k", []string{a, b})
		if len(out) != 2 || !strings.HasPrefix(name, "k") {
			t.Errorf("ParamColumn(%q, %q) = %q %q", a, b, name, out)
		}
	})
}
