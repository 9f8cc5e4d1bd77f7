// Package report turns a collagesim results file into paper-style figures
// (PNG, SVG, PDF), tables (Markdown, CSV, LaTeX booktabs) and a self-contained
// HTML page.
package report
