package report

import (
	"strconv"
	"strings"
	"testing"
)

// perPointFigures are the figures drawn for one point.
var perPointFigures = []string{"cdf", "ccdf", "p99", "mean-std", "variance-ratio", "accuracy-p99", "cost-p99"}

// Every figure of a sweep names its point: a per-point figure prints the
// point's index and swept values above its plot (and in its caption); a
// figure over every point says so in its caption.
func TestSweepFiguresNameTheirPoint(t *testing.T) {
	res := sweepFixture()
	for _, opt := range []Options{{}, {Point: 4}, {AllPoints: true}} {
		figs, err := Figures(res, opt)
		if err != nil {
			t.Fatal(err)
		}
		perPoint := 0
		for _, f := range figs {
			base, pointSuffix, _ := strings.Cut(f.Name, "-point")
			if !strings.HasPrefix(f.Name, "sweep-") && !strings.HasPrefix(f.Name, "heatmap-") {
				perPoint++
				i := opt.Point
				if opt.AllPoints {
					var err error
					if i, err = strconv.Atoi(pointSuffix); err != nil {
						t.Fatalf("%s: per-point figure without its point in its name", f.Name)
					}
				} else if pointSuffix != "" {
					t.Errorf("%s: a point suffix without AllPoints", f.Name)
				}
				pt := res.Points[i]
				want := "point " + strconv.Itoa(pt.Index) + ": S-CNN servers = " + pt.Params[0].Value + ", arrival rate = " + pt.Params[1].Value
				if !strings.Contains(f.Title, want) {
					t.Errorf("%s (%s): caption %q does not name %q", f.Name, base, f.Title, want)
				}
				if svg := string(render(t, f, "svg", 0)); !strings.Contains(svg, want) {
					t.Errorf("%s: the figure does not print %q", f.Name, want)
				}
				continue
			}
			if !strings.Contains(f.Title, "every point") {
				t.Errorf("%s: caption %q does not say it shows every point", f.Name, f.Title)
			}
		}
		want := len(perPointFigures)
		if opt.AllPoints {
			want *= len(res.Points)
		}
		if perPoint != want {
			t.Errorf("%+v: %d per-point figures, want %d", opt, perPoint, want)
		}
	}
}

// A plain run has no point to name.
func TestRunFiguresHaveNoPointTitle(t *testing.T) {
	figs, err := Figures(runFixture(), Options{AllPoints: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		if f.layout.title != "" || strings.Contains(f.Name, "-point") {
			t.Errorf("%s: title %q in a run of one point", f.Name, f.layout.title)
		}
	}
}

// Unstable points are drawn, with a cross, and the note says so; the p99
// sweep lines carry confidence bands.
func TestSweepUnstablePointsDrawn(t *testing.T) {
	res := sweepFixture()
	figs, err := Figures(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := figure(t, figs, "sweep-p99-arrivals.rate").layout
	notes := strings.Join(l.notes, "; ")
	for _, want := range []string{"×, dotted: unstable points", "shaded: 95 % confidence interval"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if notes := strings.Join(l.notes, "; "); strings.Contains(notes, "gap") {
		t.Errorf("notes still point at gaps: %q", notes)
	}
	// Every strategy at every point is drawn, the unstable ones with their
	// flag, in the strategy's own colour.
	var drawn, crossed, unstable int
	for _, ser := range l.series {
		drawn += len(ser.pts)
		for _, q := range ser.pts {
			if q.unstable {
				crossed++
			}
		}
	}
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			if s.Unstable {
				unstable++
			}
		}
	}
	if unstable == 0 {
		t.Fatal("the fixture has no unstable point")
	}
	if want := len(res.Points) * len(res.Points[0].Strategies); drawn != want || crossed != unstable {
		t.Errorf("%d points drawn, %d of them unstable; want %d and %d", drawn, crossed, want, unstable)
	}
}

// The CCDF stops at 1/n of the requests it was estimated from.
func TestCCDFStopsAtOneOverN(t *testing.T) {
	res := runFixture()
	for i := range res.Points[0].Strategies {
		s := &res.Points[0].Strategies[i]
		for j := range s.Reps {
			s.Reps[j].Answered = 2000 // 5 x 2000: nothing below 1e-4 is measured
		}
	}
	r, err := resolve(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := r.ccdf(res.Points[0])
	p := l.plots[0][0]
	if p.Y.Min != -4 {
		t.Errorf("y axis from 10^%v, want 10^-4 for 10,000 requests", p.Y.Min)
	}
	if !strings.Contains(strings.Join(l.notes, " "), "n = 10,000") {
		t.Errorf("notes %q do not give n", l.notes)
	}
	for _, s := range res.Points[0].Strategies {
		for j := range s.Reps {
			s.Reps[j].Answered = 200 // 1,000 requests
		}
	}
	if p := r.ccdf(res.Points[0]).plots[0][0]; p.Y.Min != -3 {
		t.Errorf("y axis from 10^%v, want 10^-3 for 1,000 requests", p.Y.Min)
	}
}
