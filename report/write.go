package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/results"
)

// Write makes the whole report of res in dir: every figure in every format of
// opt.Formats, report.md, table.csv, table.tex and index.html. It returns the
// paths of the files written. Each file is written to a temporary file in dir
// and renamed, so a reader never sees half a file.
func Write(res *results.Results, dir string, opt Options) ([]string, error) {
	r, err := resolve(res, opt)
	if err != nil {
		return nil, err
	}
	figs, empty := r.figures(res)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var written []string
	put := func(name string, b []byte) error {
		path := filepath.Join(dir, name)
		if err := writeFileAtomic(path, b); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	var (
		pageFigs []htmlFigure
		figFiles []string // relative to dir
		forMD    []string
	)
	for _, f := range figs {
		hf := htmlFigure{Name: f.Name, Title: f.Title, WidthPx: int(math.Round(f.Width.Points() * htmlScale))}
		for _, format := range r.Formats {
			var buf bytes.Buffer
			if err := f.Render(&buf, format, r.DPI); err != nil {
				return written, err
			}
			name := f.Name + "." + format
			if err := put(name, buf.Bytes()); err != nil {
				return written, err
			}
			hf.Files = append(hf.Files, name)
			figFiles = append(figFiles, name)
			if format == "svg" {
				hf.SVG = inlineSVG(buf.Bytes())
			}
		}
		if hf.SVG == "" && !r.NoHTML {
			var buf bytes.Buffer
			if err := f.Render(&buf, "svg", r.DPI); err != nil {
				return written, err
			}
			hf.SVG = inlineSVG(buf.Bytes())
		}
		pageFigs = append(pageFigs, hf)
		// Markdown viewers show PNG and SVG, not PDF.
		for _, format := range []string{"png", "svg"} {
			if contains(r.Formats, format) {
				forMD = append(forMD, f.Name+"."+format)
				break
			}
		}
	}
	tables := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, res, opt, forMD) }},
		{"table.csv", func(b *bytes.Buffer) error { return WriteCSV(b, res, opt) }},
		{"table.tex", func(b *bytes.Buffer) error { return WriteLaTeX(b, res, opt) }},
	}
	for _, t := range tables {
		var buf bytes.Buffer
		if err := t.write(&buf); err != nil {
			return written, err
		}
		if err := put(t.name, buf.Bytes()); err != nil {
			return written, err
		}
	}
	if !r.NoHTML {
		files := append(figFiles, "report.md", "table.csv", "table.tex")
		var buf bytes.Buffer
		if err := writeHTML(&buf, res, r, pageFigs, empty, files); err != nil {
			return written, fmt.Errorf("report: index.html: %w", err)
		}
		if err := put("index.html", buf.Bytes()); err != nil {
			return written, err
		}
	}
	return written, nil
}

// htmlScale is CSS pixels per point of figure width on the HTML page (a
// point is 4/3 px at 100 %).
const htmlScale = 1.6

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.WriteFile(path, b); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
