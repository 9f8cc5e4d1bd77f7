package sim_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// rewrite is the project's one flag for regenerating expected test output.
var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/")

// TestTraces runs the datadriven traces of testdata/*.txt: each file is a
// tiny scenario (TOML, with constant service times so that the order and
// instant of every answer can be worked out by hand; its first comment says
// why the trace is what it is), a line "----", and the expected trace of
// answers (with the answering task's queue wait, service time, pool and
// server, and the correctness draw: - where the model has no accuracy), then
// the requests that never got one. go test ./sim -run TestTraces -rewrite rewrites the traces.
func TestTraces(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces in testdata/ (%v)", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			scText, want, ok := strings.Cut(string(data), "\n----\n")
			if !ok {
				t.Fatalf("%s: no line ---- between the scenario and the expected trace", path)
			}
			got := answerTrace(t, path, scText)
			if *rewrite {
				if err := os.WriteFile(path, []byte(scText+"\n----\n"+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("trace differs from %s (go test ./sim -run 'TestTraces/%s' -rewrite rewrites it):\ngot:\n%swant:\n%s", path, name, got, want)
			}
		})
	}
}

// answerTrace runs the scenario's one strategy, one replication, and writes
// every answer in the order the load balancer got it.
func answerTrace(t *testing.T, path, text string) string {
	t.Helper()
	sc, _, err := scenarios.Parse(path, []byte(text), filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Strategies) != 1 || sc.Replications != 1 {
		t.Fatalf("%s: a trace scenario has one strategy and one replication", path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# id arrival_ms answer_ms latency_ms source wait_ms service_ms pool server correct\n")
	sink := &traceSink{w: &b}
	res, err := sim.SimulateWith(sc, sim.Options{Workers: 1, Trace: func(string, int) (sim.TraceSink, error) { return sink, nil }})
	if err != nil {
		t.Fatalf("seed %d: %v", sc.Seed, err)
	}
	m := res[0].Reps[0]
	if sink.failed != m.Failed || sink.correct != m.Correct {
		t.Errorf("%s: the trace has %d failed and %d correct requests, the metrics %d and %d", path, sink.failed, sink.correct, m.Failed, m.Correct)
	}
	fmt.Fprintf(&b, "# answered %d failed %d tasks %d\n", m.Answered, m.Failed, m.Tasks)
	return b.String()
}

type traceSink struct {
	mu              sync.Mutex
	w               *strings.Builder
	failed, correct int64
}

func (s *traceSink) Answer(r sim.TraceRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	if r.Failed {
		s.failed++
		fmt.Fprintf(s.w, "%d %g failed\n", r.ID, ms(r.ArrivalNs))
		return
	}
	correct := "-"
	if r.CorrectKnown {
		correct = fmt.Sprint(r.Correct)
	}
	if r.Correct {
		s.correct++
	}
	fmt.Fprintf(s.w, "%d %g %g %g %s %g %g %s %d %s\n", r.ID, ms(r.ArrivalNs), ms(r.ArrivalNs+r.LatencyNs), ms(r.LatencyNs), r.Source,
		ms(r.WaitNs), ms(r.ServiceNs), r.Pool, r.Server, correct)
}

func (s *traceSink) Close() error { return nil }
