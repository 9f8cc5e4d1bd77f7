package cli

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/sim"
)

// Overrides change the scenario and are recorded in the order of their
// names, the profile last, as results.json keeps them.
func TestSimFlagsApply(t *testing.T) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f := AddSimFlags(fs, "out", SLOHelp)
	if err := fs.Parse([]string{"--seed", "7", "--requests", "500", "--replications", "3", "--profile", "builtin:paper-cloud", "--slo", "within=1s"}); err != nil {
		t.Fatal(err)
	}
	sc, _, err := f.Load("run", "mm1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Apply(sc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "replications=3 requests=500 seed=7 profile=builtin:paper-cloud" {
		t.Errorf("overrides %v", got)
	}
	if sc.Seed != 7 || sc.Requests != 500 || sc.Replications != 3 || sc.Profile.Name != "paper-cloud" {
		t.Errorf("scenario not changed: seed %d requests %d replications %d profile %s", sc.Seed, sc.Requests, sc.Replications, sc.Profile.Name)
	}
	if !f.HaveSLO || f.SLO.Metric != "within" || f.SLO.Ms != 1000 || f.Progress != nil {
		t.Errorf("SLO %+v (given %v), progress %v", f.SLO, f.HaveSLO, f.Progress)
	}
	fs = pflag.NewFlagSet("run", pflag.ContinueOnError)
	f = AddSimFlags(fs, "out", SLOHelp)
	fs.Parse([]string{"--slo", "p98=1s"})
	if _, _, err := f.Load("run", "mm1", nil); err == nil || !strings.Contains(err.Error(), "collagesim run: --slo") {
		t.Errorf("bad --slo: %v", err)
	}
	if f.OutDir("../../escaped") != "out/_.._escaped" {
		t.Errorf("OutDir(../../escaped) = %s", f.OutDir("../../escaped"))
	}
}

func TestReportFlagsOptions(t *testing.T) {
	sc := &sim.Scenario{Strategies: []sim.StrategySpec{{Name: "none", Kind: "none"}, {Name: "c", Kind: "collage"}}}
	for _, c := range []struct {
		args []string
		want string // error fragment; "" for none
	}{
		{nil, ""},
		{[]string{"--format", "pdf,png", "--width", "two", "--baseline", "none"}, ""},
		{[]string{"--format", "gif"}, `--format "gif": want any of png, svg, pdf`},
		{[]string{"--width", "wide"}, `--width "wide": want one or two`},
		{[]string{"--baseline", "hedge"}, `collagesim run: --baseline "hedge": no such strategy (have none, c)`},
	} {
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		r := AddReportFlags(fs, []string{"png"})
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		opt, err := r.Options("run", Strategies(sc))
		if c.want == "" {
			if err != nil {
				t.Errorf("%v: %v", c.args, err)
			}
			continue
		}
		var ee *ExitError
		if err == nil || !strings.Contains(err.Error(), c.want) || !asExit(err, &ee) || ee.Code != 2 {
			t.Errorf("%v: %v, want usage error %q", c.args, err, c.want)
		}
		_ = opt
	}
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	r := AddReportFlags(fs, []string{"png"})
	fs.Parse([]string{"--width", "two"})
	if opt, _ := r.Options("run", nil); opt.Width != report.TwoColumn {
		t.Errorf("--width two: %v", opt.Width)
	}
}

func asExit(err error, ee **ExitError) bool {
	e, ok := err.(*ExitError)
	*ee = e
	return ok
}
