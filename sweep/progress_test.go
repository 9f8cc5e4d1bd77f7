package sweep

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressDraw(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true, what: "run", total: 1000, stop: make(chan struct{})}
	p.add(500)
	p.draw()
	out := b.String()
	if !strings.HasPrefix(out, "\r\033[K[============            ]  50% of 1000 requests") || !strings.Contains(out, "ETA") {
		t.Errorf("terminal bar %q", out)
	}
	b.Reset()
	p.println("point %d done", 3)
	if !strings.HasPrefix(b.String(), "\r\033[Kpoint 3 done\n\r\033[K[") {
		t.Errorf("a line above the bar: %q", b.String())
	}
	b.Reset()
	p.tty = false
	p.draw()
	if !strings.HasPrefix(b.String(), "run:  50% of 1000 requests, ") || !strings.HasSuffix(b.String(), "\n") {
		t.Errorf("log line %q", b.String())
	}
	// Without a writer nothing is started and nothing written.
	q := startProgress(nil, true, "run", 10)
	q.add(10)
	q.println("x")
	q.finish()
}

// A run reports every request done when it ends, whatever failed or
// stopped early.
func TestProgressCountsEveryRequest(t *testing.T) {
	sc := testScenario()
	var b bytes.Buffer
	p := startProgress(&b, false, "run", 0)
	bs := []*batch{{sc: sc}}
	if err := runBatches(bs, 2, 0, p, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	n := len(sc.Strategies) * sc.Replications
	if got := p.done.Load(); got != int64(n)*sc.Requests {
		t.Errorf("progress counted %d requests, want %d", got, int64(n)*sc.Requests)
	}
	p.finish()
}
