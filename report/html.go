package report

import (
	"bytes"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/collagesim/collagesim/results"
)

// htmlFigure is one figure on the page.
type htmlFigure struct {
	Name  string
	Title string
	SVG   template.HTML
	Files []string // the figure's files, relative to the page
}

type htmlTable struct {
	Params string
	Index  int      // the point's index
	Values []string // the swept values at the point, in the order of SweepParams
	Rows   []Row
}

type htmlPage struct {
	Res          *results.Results
	Replications int
	Baseline     string
	Columns      []column
	Figures      []htmlFigure
	Empty        []string // figures with nothing to draw
	Tables       []htmlTable
	// SweepHeads name the swept parameters in words, for the leading
	// columns of a sweep's one summary table; empty for a plain run.
	SweepHeads []string
	SLOMs      string // the SLO's bound, as the page prints it
	Files      []string
}

// inlineSVG turns an SVG file into an element to put in an HTML page.
func inlineSVG(b []byte) template.HTML {
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:]
	}
	// The SVG's text comes from our own figures and is escaped by the SVG
	// writer, so it is safe to put in the page as is.
	return template.HTML(b)
}

// pageTemplate is parsed when a page is first written, not when the program
// starts: most commands write none.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("index.html").Funcs(template.FuncMap{
		"strategy": strategyCell,
		"cell":     func(c column, r Row) string { return c.cell(r) },
		"params":   paramsText,
		"join":     strings.Join,
	}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>collagesim: {{.Res.Scenario}}</title>
<style>
body { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.5em; margin-bottom: 0.3em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; }
dl.run dt { font-weight: bold; }
dl.run dd { margin: 0; }
.figures { display: flex; flex-direction: column; gap: 2em; }
figure { margin: 0; width: 100%; max-width: 900px; }
figure svg { display: block; width: 100%; height: auto; background: #fff; }
figcaption { font-size: 0.9em; margin-top: 0.3em; }
figcaption a { margin-right: 0.5em; }
.tablewrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }
th, td { padding: 0.2em 0.45em; border-bottom: 1px solid #ddd; white-space: nowrap; }
th { border-bottom: 2px solid #333; vertical-align: bottom; }
td.num, th.num { text-align: right; }
tr.baseline td { font-weight: bold; }
{{- if .SweepHeads}}
tbody.point { border-top: 2px solid #999; }
tbody.point:nth-of-type(even) td.param { background: #f3f3f3; }
td.param { vertical-align: top; font-weight: normal; }
{{- end}}
tr.unstable td { color: #a33; }
p.empty { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
</style>
</head>
<body>
<h1>collagesim report: {{.Res.Scenario}}</h1>
<dl class="run">
<dt>scenario</dt><dd>{{.Res.Scenario}}</dd>
<dt>seed</dt><dd>{{.Res.Seed}}</dd>
{{- if .Res.Tool}}<dt>tool</dt><dd>{{.Res.Tool}}</dd>{{end}}
{{- if .Res.Profile}}<dt>profile</dt><dd>{{.Res.Profile}}</dd>{{end}}
<dt>replications</dt><dd>{{.Replications}}</dd>
{{- if .Res.SweepParams}}<dt>swept</dt><dd>{{join .Res.SweepParams ", "}} ({{len .Res.Points}} points)</dd>{{end}}
{{- if .Res.SLO}}<dt>SLO</dt><dd>{{.Res.SLO.Objective}} (share of requests within {{.SLOMs}} ms, failed ones missed)</dd>{{end}}
<dt>baseline</dt><dd>{{.Baseline}} (ratios are to it)</dd>
</dl>
{{- /* The numbers first: a reader looks for the table before the pictures. */}}
<h2>Summary</h2>
{{- if .SweepHeads}}
{{- /* A sweep: one table, each point's rows behind its parameters. */}}
<div class="tablewrap"><table>
<thead><tr><th class="num">point</th>{{range .SweepHeads}}<th class="num">{{.}}</th>{{end}}<th>strategy</th><th>kind</th>{{range $.Columns}}<th class="num">{{.H}}{{if .U}}<br>({{.U}}){{end}}</th>{{end}}</tr></thead>
{{- range $t := .Tables}}
<tbody class="point" id="point-{{$t.Index}}">
{{- range $i, $r := $t.Rows}}
<tr{{if $r.Baseline}} class="baseline"{{else if $r.Unstable}} class="unstable"{{end}}>{{if eq $i 0}}<td class="num param" rowspan="{{len $t.Rows}}">{{$t.Index}}</td>{{range $t.Values}}<td class="num param" rowspan="{{len $t.Rows}}">{{.}}</td>{{end}}{{end}}<td>{{strategy $r}}</td><td>{{$r.Kind}}</td>{{range $.Columns}}<td class="num">{{cell . $r}}</td>{{end}}</tr>
{{- end}}
</tbody>
{{- end}}
</table></div>
{{- else}}
{{- range .Tables}}
{{- if .Params}}<h3>{{.Params}}</h3>{{end}}
<div class="tablewrap"><table>
<thead><tr><th>strategy</th><th>kind</th>{{range $.Columns}}<th class="num">{{.H}}{{if .U}}<br>({{.U}}){{end}}</th>{{end}}</tr></thead>
<tbody>
{{- range $r := .Rows}}
<tr{{if $r.Baseline}} class="baseline"{{else if $r.Unstable}} class="unstable"{{end}}><td>{{strategy $r}}</td><td>{{$r.Kind}}</td>{{range $.Columns}}<td class="num">{{cell . $r}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
{{- end}}
{{- if .Figures}}
<h2>Figures</h2>
<div class="figures">
{{- range .Figures}}
<figure id="fig-{{.Name}}">
{{.SVG}}
<figcaption>{{.Title}}{{if .Files}}<br>{{range .Files}}<a href="{{.}}">{{.}}</a>{{end}}{{end}}</figcaption>
</figure>
{{- end}}
</div>
{{- end}}
{{- if .Empty}}
<p class="empty">Not drawn, as no strategy has the numbers they show: {{join .Empty ", "}}.</p>
{{- end}}
{{- if .Files}}
<h2>Files</h2>
<p>{{range .Files}}<a href="{{.}}">{{.}}</a> {{end}}</p>
{{- end}}
{{- if .Res.ScenarioText}}
<h2>Scenario as run</h2>
<pre>{{.Res.ScenarioText}}</pre>
{{- end}}
</body>
</html>
`))
})

// writeHTML writes the self-contained page: figures inline as SVG, no
// scripts, no external resources.
func writeHTML(w io.Writer, res *results.Results, r *resolved, figs []htmlFigure, empty, files []string) error {
	page := htmlPage{Res: res, Replications: replications(res), Baseline: r.baseline, Columns: columns(res), Figures: figs, Empty: empty, Files: files}
	if res.SLO != nil {
		page.SLOMs = strconv.FormatFloat(res.SLO.WithinMs, 'g', -1, 64)
	}
	sweep := len(res.SweepParams) > 0 && len(res.Points) > 1
	if sweep {
		for _, k := range res.SweepParams {
			page.SweepHeads = append(page.SweepHeads, humanKey(k))
		}
	}
	for _, rows := range byPoint(r.rows(res)) {
		t := htmlTable{Params: paramsText(rows[0].Params), Index: res.Points[rows[0].Point].Index, Rows: rows}
		for _, p := range rows[0].Params {
			t.Values = append(t.Values, p.Value)
		}
		page.Tables = append(page.Tables, t)
	}
	return pageTemplate().Execute(w, page)
}
