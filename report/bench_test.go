package report

import (
	"bytes"
	"testing"

	"github.com/collagesim/collagesim/results"
)

func benchResults(b *testing.B) *results.Results {
	b.Helper()
	res, err := results.Load("testdata/run.json")
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkRender renders every figure of a run in one format.
func BenchmarkRender(b *testing.B) {
	res := benchResults(b)
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				figs, err := Figures(res, Options{})
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range figs {
					var buf bytes.Buffer
					if err := f.Render(&buf, format, 0); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkWrite writes the whole report of a run, PNG and SVG, as `run` does.
func BenchmarkWrite(b *testing.B) {
	res := benchResults(b)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(res, dir, Options{Formats: []string{"png", "svg"}}); err != nil {
			b.Fatal(err)
		}
	}
}
