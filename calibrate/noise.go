package calibrate

import (
	"fmt"
	"math"
	"time"
)

// timing is one model's batch-1 latency sample and how clean it was.
type timing struct {
	samples  []float64
	others   float64 // other processes' share of the machine's CPU time meanwhile
	onCPU    float64 // this process's CPU time / wall time
	tries    int
	warnings []string
	notes    []string
}

// timeHonest times run at batch 1 (Warmup, then Runs) and measures what
// else the machine did meanwhile. While other processes used more than
// MaxOthers of the CPU, it waits a moment and tries again, up to Repeat
// tries, keeping the cleanest; if every try was contaminated it refuses,
// unless AllowNoisy, when the profile says so.
func (o Options) timeHonest(name string, run func() error) (timing, error) {
	var best timing
	known := false
	best.others = math.NaN()
	for try := 1; try <= o.Repeat; try++ {
		before, start := snapCPU(), time.Now()
		known = before.ok
		samples, err := timeRuns(o.Warmup, o.Runs, run)
		wall := time.Since(start).Seconds()
		after := snapCPU()
		if err != nil {
			return timing{}, fmt.Errorf("calibrate: %s: %w", name, err)
		}
		others := othersShare(before, after)
		onCPU := math.NaN()
		if before.ok && after.ok && wall > 0 {
			onCPU = (after.self - before.self) / wall
		}
		if try == 1 || others < best.others || math.IsNaN(best.others) {
			best = timing{samples: samples, others: others, onCPU: onCPU}
		}
		best.tries = try
		if math.IsNaN(others) || others <= o.MaxOthers {
			break
		}
		fmt.Fprintf(o.Log, "calibrate: %s: other processes used %.0f%% of the machine's CPU while timing (try %d of %d, limit %.0f%%)\n",
			name, 100*others, try, o.Repeat, 100*o.MaxOthers)
		if try < o.Repeat {
			time.Sleep(time.Second)
		}
	}
	if best.others > o.MaxOthers {
		msg := fmt.Sprintf("other processes used %.0f%% of the machine's CPU time while it was timed (the cleanest of %d tries; limit %.0f%%, --max-others): its latency tail is partly theirs",
			100*best.others, best.tries, 100*o.MaxOthers)
		if !o.AllowNoisy {
			return timing{}, fmt.Errorf("calibrate: %s: %s; run on an idle machine, try more often (--repeat), or pass --allow-noisy to write the profile anyway, marked noisy", name, msg)
		}
		best.warnings = append(best.warnings, "noisy timing: "+msg)
	}
	switch {
	case !known:
		best.warnings = append(best.warnings, "other processes' CPU use could not be measured (no /proc/stat): the latency tail may include theirs")
	case math.IsNaN(best.others):
		best.notes = append(best.notes, "the timing was too short for /proc/stat's 10 ms resolution to measure other processes' CPU use")
	}
	return best, nil
}
