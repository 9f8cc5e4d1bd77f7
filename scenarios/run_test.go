package scenarios

import (
	"os"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

// TestBundledRun runs every bundled scenario briefly through the engine: the
// decoded scenarios are ones sim accepts.
func TestBundledRun(t *testing.T) {
	for _, b := range Bundled() {
		t.Run(b.Name, func(t *testing.T) {
			if b.Name == "trace-inorder" {
				if _, err := os.Stat("../../shared/data/cloud-latency-samples-ms.txt"); err != nil {
					t.Skip("needs ../shared/data/cloud-latency-samples-ms.txt")
				}
				t.Chdir("..")
			}
			sc, _, err := LoadBundled(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			sc.Requests, sc.Warmup, sc.Replications, sc.Duration = 500, 0, 1, 0
			res, err := sim.Simulate(sc, 1)
			if err != nil {
				t.Fatalf("seed %d: %v", sc.Seed, err)
			}
			if len(res) != len(sc.Strategies) {
				t.Errorf("%d results for %d strategies", len(res), len(sc.Strategies))
			}
		})
	}
}
