package sim

import "math"

// Model roles in a Profile.
const (
	RoleSingle  = "single"  // S-CNN: classifies one image
	RoleCollage = "collage" // Collage-CNN: classifies a g x g collage of images
	RoleParity  = "parity"  // parity model (ParM): reconstructs a missing prediction
)

// Profile is what calibration measures and the simulator replays: one entry per
// model, with its latency distribution and accuracy, plus where the numbers come from.
type Profile struct {
	Name   string      `json:"name"`
	Source string      `json:"source"` // where the figures come from, in words
	Meta   ProfileMeta `json:"meta"`
	Models []Model     `json:"models"`
}

// ProfileMeta records the conditions a profile was measured under.
type ProfileMeta struct {
	Hardware       string `json:"hardware,omitempty"` // machine, in words
	CPU            string `json:"cpu,omitempty"`
	GPU            string `json:"gpu,omitempty"`
	Runtime        string `json:"runtime,omitempty"` // e.g. "onnxruntime"
	RuntimeVersion string `json:"runtime_version,omitempty"`
	Provider       string `json:"provider,omitempty"` // execution provider: cpu, cuda, tensorrt
	Threads        string `json:"threads,omitempty"`  // intra/inter-op thread settings
	Date           string `json:"date,omitempty"`
	Command        string `json:"command,omitempty"` // command line that wrote the profile
}

// Model is one model of a profile. Accuracy and Coverage are NaN when nobody
// measured them; results then say "n/a" instead of inventing a figure.
type Model struct {
	Name       string `json:"name"`
	Role       string `json:"role"`           // RoleSingle, RoleCollage or RoleParity
	Grid       int    `json:"grid,omitempty"` // collage: g, the collage holds g*g images; parity: k
	InputShape []int  `json:"input_shape,omitempty"`
	// Latency is the service time of one inference, in nanoseconds.
	Latency Dist `json:"latency"`
	// Accuracy: S-CNN top-1; Collage-CNN per-cell top-1 of covered cells;
	// parity: top-1 of reconstructed (degraded-mode) predictions.
	Accuracy float64 `json:"accuracy"`
	// Coverage: Collage-CNN share of cells that get a prediction at all.
	Coverage float64 `json:"coverage"`
	// Encode is the time the load balancer spends building the collage or the
	// parity input for one group, in nanoseconds (zero Dist: no cost).
	Encode Dist `json:"encode"`
	// Decode is the time to reconstruct a missing prediction (parity), in nanoseconds.
	Decode Dist `json:"decode"`
	// BatchLatency optionally records latency per batch size (calibration output).
	BatchLatency []BatchLatency `json:"batch_latency,omitempty"`
	Source       string         `json:"source,omitempty"` // where this model's numbers come from
}

// BatchLatency is a measured latency distribution at one batch size.
type BatchLatency struct {
	Batch   int  `json:"batch"`
	Latency Dist `json:"latency"`
}

// Model returns the model with the given name, or nil.
func (p *Profile) Model(name string) *Model {
	if p == nil {
		return nil
	}
	for i := range p.Models {
		if p.Models[i].Name == name {
			return &p.Models[i]
		}
	}
	return nil
}

// HasAccuracy reports whether the model's accuracy was measured.
func (m *Model) HasAccuracy() bool { return !math.IsNaN(m.Accuracy) }
