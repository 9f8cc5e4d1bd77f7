package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

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
	var (
		pageFigs []htmlFigure
		figFiles []string // relative to dir
		forMD    []string
	)
	// Figures render and write on a worker pool, a figure per job (a Figure
	// must not be drawn by two goroutines at once); each job's output is a
	// function of its figure alone, and the results are gathered in figure
	// order, so the files and the paths returned are the same whatever the
	// number of workers.
	done := make([]renderedFigure, len(figs))
	wantSVG := !r.NoHTML
	parallel(len(figs), func(i int) {
		done[i] = r.renderFigure(figs[i], dir, wantSVG)
	})
	for i, f := range figs {
		d := done[i]
		written = append(written, d.paths...)
		if d.err != nil {
			return written, d.err
		}
		hf := htmlFigure{Name: f.Name, Title: f.Title, SVG: inlineSVG(d.svg)}
		for _, format := range r.Formats {
			hf.Files = append(hf.Files, f.Name+"."+format)
			figFiles = append(figFiles, f.Name+"."+format)
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
	type file struct {
		name string
		data []byte
	}
	var files []file
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
		files = append(files, file{t.name, buf.Bytes()})
	}
	if !r.NoHTML {
		links := append(figFiles, "report.md", "table.csv", "table.tex")
		var buf bytes.Buffer
		if err := writeHTML(&buf, res, r, pageFigs, empty, links); err != nil {
			return written, fmt.Errorf("report: index.html: %w", err)
		}
		files = append(files, file{"index.html", buf.Bytes()})
	}
	errs := make([]error, len(files))
	parallel(len(files), func(i int) {
		errs[i] = writeFileAtomic(filepath.Join(dir, files[i].name), files[i].data)
	})
	for i, f := range files {
		if errs[i] != nil {
			return written, errs[i]
		}
		written = append(written, filepath.Join(dir, f.name))
	}
	return written, nil
}

// renderedFigure is what writing one figure's files gave.
type renderedFigure struct {
	paths []string // written, in the order of the formats
	svg   []byte   // for the HTML page
	err   error
}

func (r *resolved) renderFigure(f *Figure, dir string, wantSVG bool) (out renderedFigure) {
	for _, format := range r.Formats {
		var buf bytes.Buffer
		if out.err = f.Render(&buf, format, r.DPI); out.err != nil {
			return out
		}
		path := filepath.Join(dir, f.Name+"."+format)
		if out.err = writeFileAtomic(path, buf.Bytes()); out.err != nil {
			return out
		}
		out.paths = append(out.paths, path)
		if format == "svg" {
			out.svg = buf.Bytes()
		}
	}
	if out.svg == nil && wantSVG {
		var buf bytes.Buffer
		if out.err = f.Render(&buf, "svg", r.DPI); out.err != nil {
			return out
		}
		out.svg = buf.Bytes()
	}
	return out
}

// writeWorkers, when positive, is the number of workers parallel uses; the
// tests set it to show that outputs do not depend on it.
var writeWorkers = 0

// parallel runs job(0) to job(n-1) on GOMAXPROCS workers, at least four:
// besides drawing, a job waits for its files to reach the disk.
func parallel(n int, job func(i int)) {
	workers := max(4, runtime.GOMAXPROCS(0))
	if writeWorkers > 0 {
		workers = writeWorkers
	}
	workers = min(n, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				job(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

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
