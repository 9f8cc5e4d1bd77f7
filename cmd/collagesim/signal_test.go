package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the CLI: with COLLAGESIM_AS_CLI=1
// it runs realMain on its arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("COLLAGESIM_AS_CLI") == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(realMain(args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// An interrupted sweep exits 130, keeps its finished points, leaves no
// temporary file, and says how to go on.
func TestInterruptedSweep(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "--", "sweep", "capacity-sweep", "--requests", "50000", "--no-plots", "--workers", "1", "--out", dir)
	cmd.Env = append(os.Environ(), "COLLAGESIM_AS_CLI=1")
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m, _ := filepath.Glob(filepath.Join(dir, "points", "point-*.json")); len(m) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted sweep: %v, want exit 130; stderr:\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "--resume") {
		t.Errorf("no word on how to go on:\n%s", errb.String())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "points", "point-*.json")); len(m) == 0 || len(m) == 9 {
		t.Errorf("%d point files kept, want some of 9", len(m))
	}
}
