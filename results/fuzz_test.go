package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds results.json files to Decode, seeded with the test
// results file; run it with
//
//	go test ./results -run '^$' -fuzz '^FuzzDecode$' -fuzztime 3m -parallel 2
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version": 1, "points": [`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Decode(data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "results: ") {
				t.Fatalf("message without the package prefix: %q", msg)
			}
			if !utf8.ValidString(msg) || len(msg) > 40_000 {
				t.Fatalf("message not printable as is (%d bytes): %q", len(msg), msg)
			}
			return
		}
		if res == nil {
			t.Fatal("nil results without error")
		}
		if len(res.Points) == 0 {
			t.Fatal("results with no points accepted")
		}
	})
}
