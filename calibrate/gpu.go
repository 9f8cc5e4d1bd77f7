package calibrate

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// gpuNeighbours lists the other processes nvidia-smi sees computing on the
// GPUs ("pid 1234 (python3, 20000 MiB)"); known is false where nvidia-smi
// cannot be asked. Another process's kernels share the GPU with the models
// being timed, and the machine's CPU time (/proc/stat) does not show them.
func gpuNeighbours() (others []string, known bool) {
	out, err := exec.Command("nvidia-smi", "--query-compute-apps=pid,process_name,used_memory", "--format=csv,noheader,nounits").Output()
	if err != nil {
		return nil, false
	}
	return parseComputeApps(string(out), os.Getpid()), true
}

// parseComputeApps reads nvidia-smi's "pid, name, MiB" lines, leaving out
// self.
func parseComputeApps(out string, self int) []string {
	var others []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(f[0]))
		if err != nil || pid == self {
			continue
		}
		name := strings.TrimSpace(strings.Join(f[1:len(f)-1], ","))
		mem := strings.TrimSpace(f[len(f)-1])
		if _, err := strconv.Atoi(mem); err == nil {
			mem += " MiB"
		}
		others = append(others, fmt.Sprintf("pid %d (%s, %s)", pid, name, mem))
	}
	return others
}

// gpuWatch asks nvidia-smi before and after the timing rounds which other
// processes compute on the GPU, for a session on a GPU provider.
type gpuWatch struct {
	on     bool
	known  bool
	others map[string]bool
	order  []string
}

func (o Options) watchGPU() *gpuWatch {
	w := &gpuWatch{on: o.onGPU(), others: map[string]bool{}}
	w.look()
	return w
}

func (w *gpuWatch) look() {
	if !w.on {
		return
	}
	others, known := gpuNeighbours()
	w.known = w.known || known
	for _, p := range others {
		if !w.others[p] {
			w.others[p] = true
			w.order = append(w.order, p)
		}
	}
}

// note says when nothing could be learnt of the GPU's other users.
func (w *gpuWatch) note() string {
	if !w.on || w.known {
		return ""
	}
	return "which other processes computed on the GPU while it was timed is unknown (nvidia-smi could not be run)"
}

// warning is what the profile says of the GPU's other users ("" nothing).
func (w *gpuWatch) warning() string {
	if !w.on || len(w.order) == 0 {
		return ""
	}
	return fmt.Sprintf("other processes computed on the GPU while the models were timed (%s): the latency may include their work, which the CPU share (others) does not show; time on an otherwise idle GPU",
		strings.Join(w.order, ", "))
}
