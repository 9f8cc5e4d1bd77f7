package testbed

import (
	"context"
	"os"
	"testing"
)

// workerEnv makes the test binary a worker process (see TestMain), so the
// tests need no separately built collagesim binary.
const workerEnv = "COLLAGESIM_TESTBED_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := RunWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
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
