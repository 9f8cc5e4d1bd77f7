package report

import (
	"strings"
	"testing"

	"github.com/collagesim/collagesim/results"
)

func TestCheck(t *testing.T) {
	dup := runFixture()
	dup.Points[0].Strategies[1].Name = "none"
	noName := runFixture()
	noName.Points[0].Strategies[2].Name = ""
	badKey := sweepFixture()
	badKey.Points[3].Params[1].Key = "arrivals.process"
	missing := sweepFixture()
	missing.Points[2].Params = missing.Points[2].Params[:1]
	for _, c := range []struct {
		res  *results.Results
		want string
	}{
		{nil, "no results"},
		{dup, `points[0].strategies[1]: strategy "none" appears twice`},
		{noName, "points[0].strategies[2]: empty name"},
		{badKey, `points[3].params[1]: key "arrivals.process", sweep_params[1] is "arrivals.rate"`},
		{missing, "points[2]: 1 parameters, sweep_params lists 2"},
	} {
		err := results.Check(c.res)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check: %v, want %q", err, c.want)
		}
	}
}
