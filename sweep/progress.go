package sweep

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress reports finished points: an updating bar with an ETA on a
// terminal, one log line per point otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	total   int
	n       int
	start   time.Time
	skipped int
}

func newProgress(w io.Writer, tty bool, total, skipped int) *progress {
	p := &progress{w: w, tty: tty, total: total, start: time.Now(), skipped: skipped}
	if w != nil && skipped > 0 {
		fmt.Fprintf(w, "sweep: resuming: %d points already done, %d to run\n", skipped, total)
	}
	return p
}

func (p *progress) eta() string {
	if p.n == 0 {
		return "?"
	}
	el := time.Since(p.start)
	left := time.Duration(float64(el) / float64(p.n) * float64(p.total-p.n))
	return left.Round(time.Second).String()
}

func (p *progress) done(pt Point, took time.Duration, err error) {
	p.n++
	if p.w == nil {
		return
	}
	status := "done"
	if err != nil {
		status = "FAILED: " + err.Error()
	}
	if p.tty {
		const width = 30
		fill := width * p.n / max(1, p.total)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d points, %s elapsed, ETA %s ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
			p.n, p.total, time.Since(p.start).Round(time.Second), p.eta())
		if err != nil {
			fmt.Fprintf(p.w, "\npoint %d %s\n", pt.Index, status)
		}
		return
	}
	fmt.Fprintf(p.w, "sweep: point %d (%s) %s in %s; %d/%d, ETA %s\n", pt.Index, paramString(pt.Params), status,
		took.Round(time.Millisecond), p.n, p.total, p.eta())
}

func (p *progress) finish() {
	if p.w != nil && p.tty && p.total > 0 {
		fmt.Fprintln(p.w)
	}
}
