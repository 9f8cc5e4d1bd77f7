package sweep

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress intervals: a terminal's bar is redrawn often, a log gets a line
// now and then.
const (
	ttyEvery = 250 * time.Millisecond
	logEvery = 10 * time.Second
)

// progress reports how many of the requests to simulate are done, on a
// timer: on a terminal one bar redrawn in place, with the elapsed time and
// an ETA; otherwise a plain line every logEvery. Nothing with no writer.
type progress struct {
	w     io.Writer
	tty   bool
	what  string // "run" or "sweep"
	total int64
	done  atomic.Int64
	start time.Time
	mu    sync.Mutex // one writer at a time
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, tty bool, what string, total int64) *progress {
	p := &progress{w: w, tty: tty, what: what, total: max(1, total), start: time.Now(), stop: make(chan struct{})}
	if w == nil {
		return p
	}
	every := logEvery
	if tty {
		every = ttyEvery
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// add counts n more requests done.
func (p *progress) add(n int64) { p.done.Add(n) }

// status is "45% of 2700000 requests, 3s elapsed, ETA 4s".
func (p *progress) status() string {
	done := min(p.done.Load(), p.total)
	el := time.Since(p.start)
	eta := "?"
	if done > 0 {
		eta = time.Duration(float64(el) / float64(done) * float64(p.total-done)).Round(time.Second).String()
	}
	return fmt.Sprintf("%3.0f%% of %d requests, %s elapsed, ETA %s", 100*float64(done)/float64(p.total), p.total,
		el.Round(time.Second), eta)
}

// draw writes the bar (terminal) or a line (log). The caller holds mu.
func (p *progress) draw() {
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %s\n", p.what, p.status())
		return
	}
	const width = 24
	fill := int(width * min(p.done.Load(), p.total) / p.total)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %s", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.status())
}

// println writes a line of its own: on a terminal above the bar.
func (p *progress) println(format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.tty {
		p.draw()
	}
}

// finish stops the timer and, on a terminal, leaves the full bar on its line.
func (p *progress) finish() {
	if p.w == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	if p.tty {
		p.mu.Lock()
		p.draw()
		fmt.Fprintln(p.w)
		p.mu.Unlock()
	}
}
