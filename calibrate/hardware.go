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

// cpuInfo is what /proc/cpuinfo says about the processor.
type cpuInfo struct {
	model    string
	mhz      float64
	features []string // the performance-relevant subset of the flags
	cores    int      // physical cores (0 if unknown)
}

// cpuFeatures are the instruction-set flags that decide how fast ONNX
// Runtime's kernels run (x86 vector and matrix extensions, ARM SIMD).
var cpuFeatures = []string{"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8", "asimd", "asimddp", "sve", "sve2", "i8mm", "bf16"}

func readCPUInfo() cpuInfo {
	var c cpuInfo
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return c
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	cores := map[string]bool{}
	var phys string
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "model name", "Model", "cpu model", "Hardware":
			if c.model == "" && v != "" {
				c.model = v
			}
		case "cpu MHz":
			if c.mhz == 0 {
				c.mhz, _ = strconv.ParseFloat(v, 64)
			}
		case "flags", "Features":
			if c.features == nil {
				have := map[string]bool{}
				for _, fl := range strings.Fields(v) {
					have[fl] = true
				}
				c.features = []string{}
				for _, fl := range cpuFeatures {
					if have[fl] {
						c.features = append(c.features, fl)
					}
				}
			}
		case "physical id":
			phys = v
		case "core id":
			cores[phys+"/"+v] = true
		}
	}
	c.cores = len(cores)
	return c
}

// CPUModel describes the processor from /proc/cpuinfo: its model name, its
// clock as the OS reports it now, and the instruction-set extensions that
// decide kernel speed ("" if unknown). Two machines with one model name but
// other extensions (AVX-512 or not) differ by several times in latency.
func CPUModel() string {
	c := readCPUInfo()
	if c.model == "" {
		return ""
	}
	s := c.model
	var extra []string
	if c.mhz > 0 {
		extra = append(extra, fmt.Sprintf("%.0f MHz", c.mhz))
	}
	if len(c.features) > 0 {
		extra = append(extra, strings.Join(c.features, " "))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, "; ") + ")"
	}
	return s
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
	if c := readCPUInfo(); c.cores > 0 {
		parts[0] += fmt.Sprintf(" (%d physical cores)", c.cores)
	}
	if m := CPUModel(); m != "" {
		parts = append(parts, m)
	}
	if b := memTotal(); b > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(b)/(1<<30)))
	}
	parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH)
	return strings.Join(parts, ", ")
}

// GPUModel asks nvidia-smi for the name of the GPU the CUDA provider runs
// on, with its driver and memory ("NVIDIA H200 (driver 580.159.04, 143771
// MiB)"; "" if none): the first that CUDA_VISIBLE_DEVICES names, else the
// first GPU.
func GPUModel() string {
	args := []string{"--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"}
	if first, _, _ := strings.Cut(os.Getenv("CUDA_VISIBLE_DEVICES"), ","); strings.TrimSpace(first) != "" {
		args = append(args, "-i", strings.TrimSpace(first))
	}
	out, err := exec.Command("nvidia-smi", args...).Output()
	if err != nil {
		return ""
	}
	return gpuWords(string(out))
}

// gpuWords turns nvidia-smi's first "name, driver, memory" line into words.
func gpuWords(out string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	f := strings.Split(line, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if len(f) < 3 {
		return strings.TrimSpace(line)
	}
	return fmt.Sprintf("%s (driver %s, %s)", strings.Join(f[:len(f)-2], ","), f[len(f)-2], f[len(f)-1])
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
