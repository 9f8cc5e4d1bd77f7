package scenarios

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/collagesim/collagesim/sim"
)

// Memory one run of a scenario takes, measured on the bundled scenarios and
// on a 2,000,000-server pool: a fixed part, per server, per outstanding
// request, and the latency histogram each (strategy, replication) keeps until
// the results are joined.
const (
	memPerRun         = 8 << 20
	memPerServer      = 600
	memPerOutstanding = 400
	memPerJob         = 256 << 10
)

// EstimateMemory is about how many bytes simulating sc takes with workers
// runs going at once (0: as many as CPUs).
func EstimateMemory(sc *sim.Scenario, workers int) uint64 {
	if workers <= 0 {
		workers = max(1, runtime.GOMAXPROCS(0))
	}
	servers := 0
	for _, p := range sc.Pools {
		servers += p.Servers
	}
	outstanding := min(sc.Stability.MaxOutstanding, sc.Warmup+sc.Requests)
	if outstanding <= 0 {
		outstanding = sc.Stability.MaxOutstanding
	}
	jobs := len(sc.Strategies) * max(1, sc.Replications)
	perRun := float64(memPerRun) + float64(servers)*memPerServer + float64(outstanding)*memPerOutstanding
	total := perRun*float64(min(workers, max(1, jobs))) + float64(jobs)*memPerJob +
		float64(len(sc.Arrivals.Times))*8
	if total > math.MaxUint64/2 {
		return math.MaxUint64 / 2
	}
	return uint64(total)
}

// CheckMemory refuses a run of sc with workers runs at once that would need
// more than 90 % of this machine's memory.
func CheckMemory(sc *sim.Scenario, workers int) error {
	need, have := EstimateMemory(sc, workers), MachineMemory()
	if have == 0 || need <= have*9/10 {
		return nil
	}
	return fmt.Errorf("scenarios: %s: with %d runs at once this needs about %s of memory, more than 90%% of this machine's %s; use fewer workers, servers, replications or requests",
		sc.Name, max(1, min(workers, len(sc.Strategies)*max(1, sc.Replications))), humanBytes(need), humanBytes(have))
}

// MachineMemory is the machine's memory in bytes (MemTotal of
// /proc/meminfo, else sysinfo), or 0 when unknown.
func MachineMemory() uint64 { return machineMemory() }

var machineMemory = sync.OnceValue(func() uint64 {
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fields := strings.Fields(rest)
				if len(fields) >= 1 {
					if kb, err := strconv.ParseUint(fields[0], 10, 64); err == nil {
						return kb << 10
					}
				}
			}
		}
	}
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err == nil {
		return uint64(info.Totalram) * uint64(info.Unit)
	}
	return 0
})

func humanBytes(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d kB", b>>10)
}
