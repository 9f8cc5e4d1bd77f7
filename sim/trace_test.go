package sim

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected traces in testdata/")

// traceCase is a tiny scenario with constant service times, where the order
// and the instant of every answer can be worked out by hand; the expected
// trace (testdata/NAME.txt) says it, and the comment above each case says why.
type traceCase struct {
	name, why string
	sc        func() *Scenario
}

func constProfile() *Profile {
	nan := math.NaN()
	return &Profile{Name: "const", Models: []Model{
		{Name: "s10", Role: RoleSingle, Latency: Const(10e6), Accuracy: nan, Coverage: nan},
		{Name: "c25", Role: RoleCollage, Grid: 2, Latency: Const(25e6), Encode: Const(1e6), Accuracy: nan, Coverage: 1},
		{Name: "p20", Role: RoleParity, Latency: Const(20e6), Decode: Const(2e6), Accuracy: nan, Coverage: nan},
	}}
}

func tiny(strategy StrategySpec, stragglers ...StragglerSpec) *Scenario {
	return &Scenario{
		Name: "tiny", Seed: 1, Requests: 8, Replications: 1,
		Arrivals: Arrivals{Process: ArrivalDeterministic, Rate: 200, Batch: 4}, // 4 requests every 20 ms
		Pools: []PoolSpec{
			{Name: "s", Model: "s10", Servers: 4},
			{Name: "b", Model: "s10", Servers: 1},
			{Name: "c", Model: "c25", Servers: 1},
			{Name: "p", Model: "p20", Servers: 1},
		},
		Stragglers: stragglers,
		Strategies: []StrategySpec{strategy},
		Profile:    constProfile(),
		Stability:  Stability{MaxOutstanding: 1000},
	}
}

// server 0 of pool s is 10x slower: its tasks take 100 ms.
var slowFirst = StragglerSpec{Kind: StragglerSlowNodes, Pools: []string{"s"}, Servers: []int{0}, Count: 1, Slowdown: 10}

var traceCases = []traceCase{
	{"none", "round-robin: requests 0 and 4 go to the slow server 0 and queue there (100 ms, then 200 ms)",
		func() *Scenario {
			return tiny(StrategySpec{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "s"}}, slowFirst)
		}},
	{"hedge", "after 15 ms the requests on slow server 0 get a copy on the backup (answer at 25 ms after arrival)",
		func() *Scenario {
			return tiny(StrategySpec{Name: "hedge", Kind: StrategyHedge, HedgeAfter: 15e6, Cancel: true,
				Pools: map[string]string{PoolSingle: "s", PoolBackup: "b"}}, slowFirst)
		}},
	{"collage-first", "groups of 4 close at arrival, encode 1 ms, collage 25 ms: cells answer at 26 ms where the S-CNN is slow",
		func() *Scenario {
			return tiny(StrategySpec{Name: "collage", Kind: StrategyCollage, Grid: 2, Decoder: DecoderFirst, MaxWait: 50e6,
				Pools: map[string]string{PoolSingle: "s", PoolCollage: "c"}}, slowFirst)
		}},
	{"collage-deadline-resend", "deadline 15 ms: the collage (26 ms) answers; with re-send the copy on server 1 takes 10 ms and answers at 25 ms first",
		func() *Scenario {
			return tiny(StrategySpec{Name: "deadline", Kind: StrategyCollage, Grid: 2, Decoder: DecoderDeadline, Deadline: 15e6, Resend: true, MaxWait: 50e6,
				Pools: map[string]string{PoolSingle: "s", PoolCollage: "c"}}, slowFirst)
		}},
	{"parity", "k = 4: three data answers at 10 ms, parity at 20 ms, decode 2 ms: the slow request is reconstructed at 22 ms",
		func() *Scenario {
			return tiny(StrategySpec{Name: "parity", Kind: StrategyParity, K: 4, MaxWait: 50e6,
				Pools: map[string]string{PoolSingle: "s", PoolParity: "p"}}, slowFirst)
		}},
}

func TestTraces(t *testing.T) {
	for _, tc := range traceCases {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.sc()
			var b strings.Builder
			fmt.Fprintf(&b, "# %s\n", tc.why)
			fmt.Fprintf(&b, "# id arrival_ms answer_ms latency_ms source\n")
			m := runOne(t, sc, 0, func(run *Run, r Req, arr int64, src Source) {
				fmt.Fprintf(&b, "%d %g %g %g %s\n", r.ID, float64(arr)/1e6, float64(run.Now())/1e6, float64(run.Now()-arr)/1e6, src)
			})
			fmt.Fprintf(&b, "# answered %d failed %d tasks %d\n", m.Answered, m.Failed, m.Tasks)
			path := filepath.Join("testdata", tc.name+".txt")
			if *rewrite {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./sim -run TestTraces -rewrite to write it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("trace differs from %s (go test ./sim -run TestTraces -rewrite rewrites it):\ngot:\n%swant:\n%s", path, got, want)
			}
		})
	}
}
