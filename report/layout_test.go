package report

import (
	"strings"
	"testing"
)

func TestNotesWrap(t *testing.T) {
	figs, err := Figures(longNamesFixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := figure(t, figs, "accuracy-p99").layout
	lines := l.noteLines()
	if len(lines) < 2 {
		t.Fatalf("note not wrapped: %q", lines)
	}
	sty := textStyle(l.lk.legend)
	for _, line := range lines {
		if w := sty.Width(line); w > l.lk.width-2*margin {
			t.Errorf("line %q is %v wide, figure %v", line, w, l.lk.width)
		}
	}
	if got := strings.Join(lines, " "); !strings.Contains(got, "accuracy n/a: replicate-eq…n-backup-pool, replicate-fu…ancel-running, parity-model…degraded-mode") {
		t.Errorf("note %q", got)
	}
}
