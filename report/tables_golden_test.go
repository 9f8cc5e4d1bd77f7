package report

import (
	"bytes"
	"strings"
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

// TestSLOTables checks the share within the SLO where each table puts it,
// and that a sweep's page has one summary table with a body per point.
func TestSLOTables(t *testing.T) {
	res := runSLOFixture()
	var md, csv, tex, page bytes.Buffer
	if err := WriteMarkdown(&md, res, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csv, res, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteLaTeX(&tex, res, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"report.md", md.String(), []string{"- SLO: within 300ms for 99%", "| within 300 ms (%) | within 95 % CI (%) |", "| 98.00 | [97.90, 98.10] |"}},
		{"table.csv", csv.String(), []string{",slo_ms,within_slo,within_slo_ci_low,within_slo_ci_high\n", ",300,0.98,0.979,0.981\n"}},
		{"table.tex", tex.String(), []string{"Within 300\\,ms", "98.00 {\\scriptsize [97.9, 98.1]}", "\\cmidrule(l){6-8}"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.text, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, c.text)
			}
		}
	}
	sw := sweepSLOFixture()
	r, err := resolve(sw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := writeHTML(&page, sw, r, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if n := strings.Count(html, "<table>"); n != 1 {
		t.Errorf("index.html of a sweep: %d tables, want 1", n)
	}
	if n := strings.Count(html, `<tbody class="point"`); n != len(sw.Points) {
		t.Errorf("index.html of a sweep: %d point bodies, want %d", n, len(sw.Points))
	}
	for _, w := range []string{"<th class=\"num\">S-CNN servers</th><th class=\"num\">arrival rate</th>", "<th class=\"num\">within 300 ms<br>(%)</th>", "<dt>SLO</dt><dd>p99&lt;=300ms"} {
		if !strings.Contains(html, w) {
			t.Errorf("index.html: no %q", w)
		}
	}
}
