package testbed

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// cpuTicks is the user plus system CPU time of process pid, from /proc.
func cpuTicks(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 on
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, strconv.ErrSyntax
	}
	return time.Duration(ut+st) * (time.Second / 100), nil // USER_HZ is 100 on Linux
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTaskCPU measures the CPU one infer call costs the worker process
// and the load balancer's side (this process), one call at a time, each
// held 2 ms as a drawn service time would hold it: the testbed's own cost
// per task, inference included. With COLLAGESIM_MODELS set (a bundle folder, e.g. .cache/models)
// it serves that bundle's S-CNN, else the tiny test model. It also reports the worker's
// CPU while idle. COLLAGESIM_WORKER_CPUPROFILE=FILE has the worker write a
// CPU profile there (see TestMain).
//
//	COLLAGESIM_MODELS=$PWD/.cache/models go test ./testbed -run '^$' -bench TaskCPU -benchtime 2000x
func BenchmarkTaskCPU(b *testing.B) {
	dir := os.Getenv("COLLAGESIM_MODELS")
	if dir == "" {
		dir = tinyBundle(b)
	}
	bun, err := models.ReadBundle(dir)
	if err != nil {
		b.Fatal(err)
	}
	var bm *models.BuiltModel
	for i := range bun.Models {
		if bun.Models[i].Role == sim.RoleSingle {
			bm = &bun.Models[i]
		}
	}
	cmd, env := workerCommand()
	c, err := Start(context.Background(), cmd, env, []WorkerSpec{{Pool: "p", Servers: 1, Model: bm.Name,
		File: filepath.Join(dir, bm.File), Latency: sim.Const(2e6), TimeScale: 1}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop()
	pid := c.Pids()[0]
	tr := newTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	side := int64(bm.InputShape[3])
	input := models.Synthetic(2, 1, int(side)).Images[0].Pix
	ireq := func(i int) *InferRequest {
		return &InferRequest{ID: strconv.Itoa(i), Parameters: &TaskParams{Seed: "1", Key: "1.2", Epoch: "0"},
			Inputs: []Tensor{{Name: "input", Shape: []int64{1, 3, side, side}, Datatype: "FP32", Data: input}}}
	}
	for i := range 50 { // warm up: connections, the runtime's allocations
		if _, err := postInfer(context.Background(), client, c.procs[0].URL, bm.Name, ireq(i), false); err != nil {
			b.Fatal(err)
		}
	}
	idle0, _ := cpuTicks(pid)
	time.Sleep(time.Second)
	idle1, _ := cpuTicks(pid)
	w0, _ := cpuTicks(pid)
	l0 := selfCPU()
	b.ResetTimer()
	for i := range b.N {
		if _, err := postInfer(context.Background(), client, c.procs[0].URL, bm.Name, ireq(i), false); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	w1, _ := cpuTicks(pid)
	l1 := selfCPU()
	c.procs[0].stdin.Close() // the worker ends by itself (and writes its profile, if asked)
	select {
	case <-c.procs[0].done:
	case <-time.After(3 * time.Second):
	}
	b.ReportMetric(float64(w1-w0)/float64(b.N)/1e3, "worker-cpu-us/task")
	b.ReportMetric(float64(l1-l0)/float64(b.N)/1e3, "lb-cpu-us/task")
	b.ReportMetric(float64(idle1-idle0)/1e6, "idle-worker-cpu-ms/s")
}
