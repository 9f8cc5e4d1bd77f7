package report

import (
	"bytes"
	"testing"

	"github.com/collagesim/collagesim/results"
)

// TestTablesGolden pins report.md, table.csv, table.tex and index.html of the
// fixtures: results without an SLO keep the tables they had before SLOs.
func TestTablesGolden(t *testing.T) {
	for _, fx := range []struct {
		name string
		res  func() *results.Results
	}{{"run", runFixture}, {"sweep", sweepFixture}, {"run-slo", runSLOFixture}, {"sweep-slo", sweepSLOFixture}} {
		for _, tab := range []struct {
			ext   string
			write func(*bytes.Buffer, *results.Results) error
		}{
			{"md", func(b *bytes.Buffer, res *results.Results) error {
				return WriteMarkdown(b, res, Options{}, []string{"cdf.png"})
			}},
			{"csv", func(b *bytes.Buffer, res *results.Results) error { return WriteCSV(b, res, Options{}) }},
			{"tex", func(b *bytes.Buffer, res *results.Results) error { return WriteLaTeX(b, res, Options{}) }},
			{"html", func(b *bytes.Buffer, res *results.Results) error {
				r, err := resolve(res, Options{})
				if err != nil {
					return err
				}
				return writeHTML(b, res, r, nil, nil, []string{"report.md"})
			}},
		} {
			var buf bytes.Buffer
			if err := tab.write(&buf, fx.res()); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fx.name+"-table.golden."+tab.ext, buf.Bytes())
		}
	}
}
