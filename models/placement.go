package models

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CPUProvider is ONNX Runtime's name for its CPU execution provider, as
// profiles spell it.
const CPUProvider = "CPUExecutionProvider"

// Placement is where ONNX Runtime ran a model's nodes: for each execution
// provider, how many nodes of each operator it ran.
type Placement map[string]map[string]int

// NodePlacement opens the model file at path again with ONNX Runtime's
// profiling on, runs it runs times on zeros of the given input shape, and
// reads from the profile which execution provider ran each node. The
// profile is written to a temporary folder, removed before it returns.
func NodePlacement(path string, shape []int64, o SessionOptions, runs int) (Placement, error) {
	dir, err := os.MkdirTemp("", "collagesim-placement-")
	if err != nil {
		return nil, fmt.Errorf("models: placement: %w", err)
	}
	defer os.RemoveAll(dir)
	o.ProfilePrefix = filepath.Join(dir, "profile")
	s, err := OpenFile(path, o)
	if err != nil {
		return nil, err
	}
	b, err := s.Bind(shape)
	if err != nil {
		s.Close()
		return nil, err
	}
	for range max(runs, 1) {
		if err = b.Run(); err != nil {
			break
		}
	}
	b.Close()
	s.Close() // writes the profile
	if err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "profile*.json"))
	if len(files) != 1 {
		return nil, fmt.Errorf("models: placement: ONNX Runtime wrote %d profiles of %s, want 1", len(files), filepath.Base(path))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return nil, fmt.Errorf("models: placement: %w", err)
	}
	return ParsePlacement(data)
}

// ParsePlacement reads an ONNX Runtime profile (a JSON array of trace
// events): each node's kernel-time event names its operator and provider.
// A node run several times counts once.
func ParsePlacement(profile []byte) (Placement, error) {
	var events []struct {
		Cat  string `json:"cat"`
		Name string `json:"name"`
		Args struct {
			Op       string `json:"op_name"`
			Provider string `json:"provider"`
		} `json:"args"`
	}
	if err := json.Unmarshal(profile, &events); err != nil {
		return nil, fmt.Errorf("models: placement: reading ONNX Runtime's profile: %w", err)
	}
	p := Placement{}
	seen := map[string]bool{}
	for _, e := range events {
		node, ok := strings.CutSuffix(e.Name, "_kernel_time")
		if e.Cat != "Node" || !ok || e.Args.Provider == "" || seen[node] {
			continue
		}
		seen[node] = true
		if p[e.Args.Provider] == nil {
			p[e.Args.Provider] = map[string]int{}
		}
		p[e.Args.Provider][e.Args.Op]++
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("models: placement: ONNX Runtime's profile names no node")
	}
	return p, nil
}

// Nodes is how many nodes provider ran ("" for all providers).
func (p Placement) Nodes(provider string) int {
	n := 0
	for prov, ops := range p {
		if provider == "" || prov == provider {
			for _, c := range ops {
				n += c
			}
		}
	}
	return n
}

// computeOps are operators that do a model's arithmetic (as opposed to the
// shape bookkeeping ONNX Runtime keeps on the CPU on purpose, next to a GPU).
var computeOps = map[string]bool{
	"Conv": true, "ConvTranspose": true, "ConvInteger": true, "QLinearConv": true, "FusedConv": true, "NhwcConv": true,
	"MatMul": true, "MatMulInteger": true, "QLinearMatMul": true, "FusedMatMul": true, "MatMulNBits": true,
	"Gemm": true, "FusedGemm": true, "Einsum": true,
	"BatchNormalization": true, "InstanceNormalization": true, "LayerNormalization": true, "GroupNorm": true,
	"Attention": true, "MultiHeadAttention": true, "LSTM": true, "GRU": true, "RNN": true,
	"MaxPool": true, "AveragePool": true, "GlobalAveragePool": true, "GlobalMaxPool": true, "LpPool": true,
	"Resize": true, "Upsample": true, "Softmax": true, "LogSoftmax": true,
}

// OffProvider lists the compute operators (Conv, MatMul, ...) that ran on
// the CPU although the session asked for another provider, as "Conv x3,
// MatMul": the nodes whose arithmetic the profile's latency puts on the CPU.
func (p Placement) OffProvider() string {
	var parts []string
	for op, n := range p[CPUProvider] {
		if computeOps[op] {
			parts = append(parts, countWords(op, n))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// String says where the nodes ran: "23 nodes on CPUExecutionProvider", or
// "51 on CUDAExecutionProvider, 4 on CPUExecutionProvider (Shape x2,
// Gather, Unsqueeze)", the operators listed for the CPU when another
// provider ran the rest.
func (p Placement) String() string {
	provs := make([]string, 0, len(p))
	for prov := range p {
		provs = append(provs, prov)
	}
	sort.Slice(provs, func(i, j int) bool { // the CPU last
		if (provs[i] == CPUProvider) != (provs[j] == CPUProvider) {
			return provs[j] == CPUProvider
		}
		return provs[i] < provs[j]
	})
	if len(provs) == 1 {
		return fmt.Sprintf("%d nodes on %s", p.Nodes(""), provs[0])
	}
	var parts []string
	for _, prov := range provs {
		s := fmt.Sprintf("%d on %s", p.Nodes(prov), prov)
		if prov == CPUProvider {
			var ops []string
			for op, n := range p[prov] {
				ops = append(ops, countWords(op, n))
			}
			sort.Strings(ops)
			s += " (" + strings.Join(ops, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func countWords(op string, n int) string {
	if n == 1 {
		return op
	}
	return fmt.Sprintf("%s x%d", op, n)
}
