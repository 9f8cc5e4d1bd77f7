package calibrate

// timing is one model's batch-1 latency sample and how clean it was (see
// timeRounds and verdict).
type timing struct {
	samples  []float64
	medians  []float64 // each round's median, ns
	others   float64   // other processes' share of the machine's CPU time meanwhile
	onCPU    float64   // this process's CPU time / wall time
	tries    int
	warnings []string
	notes    []string
}
