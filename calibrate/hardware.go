package calibrate

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// CPUModel reads the processor model from /proc/cpuinfo ("" if unknown).
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model", "cpu model", "Hardware":
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}

// memTotal reads MemTotal from /proc/meminfo in bytes (0 if unknown).
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// Hardware describes the machine in words: CPUs, model, memory, platform.
func Hardware() string {
	parts := []string{fmt.Sprintf("%d logical CPUs", runtime.NumCPU())}
	if m := CPUModel(); m != "" {
		parts = append(parts, m)
	}
	if b := memTotal(); b > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(b)/(1<<30)))
	}
	parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH)
	return strings.Join(parts, ", ")
}

// GPUModel asks nvidia-smi for the first GPU's name ("" if none).
func GPUModel() string {
	out, err := exec.Command("nvidia-smi", "--query-gpu=name", "--format=csv,noheader").Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}

// cpuSnapshot is the machine's CPU time so far (from /proc/stat) and this
// process's own (getrusage), in seconds.
type cpuSnapshot struct {
	busy, total, self float64
	ok                bool
}

func snapCPU() cpuSnapshot {
	var s cpuSnapshot
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s
	}
	s.self = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return s
	}
	const hz = 100 // USER_HZ: /proc/stat counts in hundredths of a second on Linux
	for i, v := range f[1:] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return s
		}
		if i >= 8 { // guest times are already in user and nice
			break
		}
		s.total += x / hz
		if i != 3 && i != 4 { // idle, iowait
			s.busy += x / hz
		}
	}
	s.ok = true
	return s
}

// othersShare is the share of the machine's CPU time between a and b that
// other processes used: what competed with the timed runs. NaN if unknown.
func othersShare(a, b cpuSnapshot) float64 {
	if !a.ok || !b.ok || b.total <= a.total {
		return math.NaN()
	}
	others := (b.busy - a.busy) - (b.self - a.self)
	return math.Min(math.Max(others/(b.total-a.total), 0), 1)
}
