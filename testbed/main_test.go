package testbed

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
)

// workerEnv makes the test binary a worker process (see TestMain), so the
// tests need no separately built collagesim binary.
const workerEnv = "COLLAGESIM_TESTBED_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if f := os.Getenv("COLLAGESIM_WORKER_CPUPROFILE"); f != "" {
			if out, err := os.Create(f); err == nil {
				pprof.StartCPUProfile(out)
			}
		}
		err := RunWorker(context.Background(), os.Stdin, os.Stdout)
		pprof.StopCPUProfile()
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// workerCommand re-executes the test binary as a worker.
func workerCommand() ([]string, []string) {
	return []string{os.Args[0], "-test.run=^$"}, []string{workerEnv + "=1"}
}
