package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
	"github.com/collagesim/collagesim/testbed"
)

// endpointFlag collects --endpoint POOL=URL[,POOL=URL...], repeatable.
type endpointFlag map[string][]string

func (e endpointFlag) String() string { return "" }
func (e endpointFlag) Type() string   { return "POOL=URL" }
func (e endpointFlag) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		pool, url, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok || pool == "" || !(strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")) {
			return fmt.Errorf("%q: want POOL=http://HOST:PORT", f)
		}
		e[pool] = append(e[pool], strings.TrimSuffix(url, "/"))
	}
	return nil
}

func testbedCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := command("testbed", cobra.ExactArgs(1))
	fs := cmd.Flags()
	m := testbed.MainConfig{Tool: "collagesim " + version, Endpoints: endpointFlag{}}
	fs.StringVar(&m.Dir, "out", "", "output folder (default out/<scenario name>-testbed)")
	requests := cli.IntVar(fs, "requests", 0, 1, 1e9, "counted requests per strategy (default: the scenario's)")
	fs.Float64Var(&m.TimeScale, "time-scale", 0, "divide service times and arrival gaps by F on the wall clock (0: chosen from the measured timer, round trip and free CPU)")
	reps := cli.IntVar(fs, "replications", 1, 1, 1000, "replications per strategy (the scenario's count is for the simulator)")
	fs.StringVar(&m.ModelsDir, "models", ".cache/models", "folder of the bundled models (as make calibrate builds them; built here when missing)")
	fs.StringVar(&m.ORTLib, "ort-lib", "", "ONNX Runtime shared library (libonnxruntime.so.1)")
	threads := cli.IntVar(fs, "threads", 1, 1, 1024, "ONNX Runtime intra-op threads per worker")
	fs.DurationVar(&m.Drain, "drain", 30*time.Second, "longest wait for answers after the last arrival")
	fs.StringVar(&m.CIFAR, "cifar", "", "labelled requests from a CIFAR-10 binary batch file (default: synthetic images)")
	fs.Var(endpointFlag(m.Endpoints), "endpoint", "send a pool's tasks to running KServe v2 servers: POOL=URL[,POOL=URL...] (repeatable)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if m.TimeScale < 0 || m.TimeScale > 1e6 || m.Drain <= 0 {
			return usageErr("collagesim testbed: --time-scale must be from 0 (automatic) to 1e6, --drain positive")
		}
		m.Requests, m.Replications, m.Threads = requests.V, int(reps.V), int(threads.V)
		sc, meta, err := cli.LoadScenario(args[0])
		if err != nil {
			return failed(err)
		}
		for pool := range m.Endpoints {
			if !slices.ContainsFunc(sc.Pools, func(p sim.PoolSpec) bool { return p.Name == pool }) {
				return usageErr("collagesim testbed: --endpoint: scenario %s has no pool %q", sc.Name, pool)
			}
		}
		if m.Dir == "" {
			m.Dir = results.DefaultDir(sc.Name + "-testbed")
		}
		if err := results.Writable(m.Dir); err != nil {
			return failed(err)
		}
		exe, err := os.Executable()
		if err != nil {
			return failed(err)
		}
		m.Scenario, m.ScenarioText, m.Worker = sc, meta.Text, []string{exe, "testbed-worker"}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := testbed.Main(ctx, m, stdout, stderr); err != nil {
			if errors.Is(err, context.Canceled) {
				return &cli.ExitError{Code: 130, Err: fmt.Errorf("collagesim testbed: interrupted: %w", err)}
			}
			return failed(fmt.Errorf("collagesim testbed: %w", err))
		}
		return nil
	}
	return cmd
}

// testbedWorkerCmd is a worker process of the testbed (not for users): it
// reads its spec on stdin and serves until stdin closes.
func testbedWorkerCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "testbed-worker", Hidden: true, Args: cobra.NoArgs,
		Short: "a worker process of the testbed (not for users): reads its spec on stdin and serves until stdin closes"}
	cmd.RunE = func(*cobra.Command, []string) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := testbed.RunWorker(ctx, os.Stdin, stdout); err != nil {
			return failed(err)
		}
		return nil
	}
	return cmd
}
