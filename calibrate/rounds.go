package calibrate

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/collagesim/collagesim/models"
)

// timed is one configuration to time, a model at one batch size. Every
// configuration of a calibration is timed in Options.Rounds rounds, the
// configurations taking turns within each round, so that a change in the
// machine's speed while it calibrates (a clock that ramps or throttles, a
// neighbour, a thread moved to a slower core) falls on every model alike
// instead of on whichever model was being timed then: the latencies of the
// models stay comparable, and the change shows in each one's medians over
// the calibration's periods (steadyPeriods).
type timed struct {
	name    string
	run     func() error
	samples []float64 // all rounds' runs, in time order, ns
	ends    []int     // where each round's runs end in samples
	tries   int       // the most tries any of its rounds took

	othersCPU, machineCPU float64 // CPU seconds other processes used, and the machine had, over its kept rounds
	selfCPU, wall         float64 // this process's CPU seconds and the wall seconds over them
	known                 bool    // /proc/stat was read
}

// A configuration's rounds are merged into steadyPeriods consecutive
// periods (fewer with fewer rounds); unsteadyShare is the spread of its
// medians over those periods (the largest over the smallest, minus 1) above
// which the profile warns that the machine's speed changed while it was
// timed. Short rounds interleave finely; periods of several rounds keep the
// medians compared from being noisy themselves.
// Periods of fewer than steadyRuns runs are not warned about: the medians
// of a handful of runs differ by chance.
const (
	steadyPeriods = 5
	unsteadyShare = 0.20
	steadyRuns    = 20
)

// timeRounds times every configuration of ts in o.Rounds rounds of about
// o.Runs/o.Rounds runs each: the first after o.Warmup untimed runs, later ones
// after a tenth of that (at least one), since other models ran in between.
// A round of all the configurations during which other processes used more
// than o.MaxOthers of the machine's CPU is timed again (up to o.Repeat tries),
// keeping the cleanest: the whole round, so that every model still sees the
// same conditions, and long enough for /proc/stat to tell.
func (o Options) timeRounds(ts []*timed) error {
	rounds := o.rounds()
	began, said := time.Now(), time.Now()
	for r := range rounds {
		// A long calibration says how far it is, every 10 s or so.
		if time.Since(said) >= 10*time.Second {
			fmt.Fprintf(o.Log, "calibrate: timing: %d of %d rounds done, %s so far\n", r, rounds, time.Since(began).Round(time.Second))
			said = time.Now()
		}
		n := o.Runs / rounds
		if r < o.Runs%rounds {
			n++
		}
		warm := o.Warmup
		if r > 0 && warm > 0 {
			warm = max(1, warm/10)
		}
		var best []block
		bestShare := math.NaN()
		for try := 1; try <= o.Repeat; try++ {
			before, start := snapCPU(), time.Now()
			blocks := make([]block, len(ts))
			for i, t := range ts {
				var err error
				if blocks[i], err = timeBlock(t, warm, n); err != nil {
					return err
				}
			}
			wall := time.Since(start).Seconds()
			after := snapCPU()
			share := math.NaN()
			if before.ok && after.ok && after.total-before.total >= judgeCPU {
				share = othersShare(before, after)
			}
			if try == 1 || share < bestShare || math.IsNaN(bestShare) {
				best, bestShare = blocks, share
			}
			for _, t := range ts {
				t.tries = max(t.tries, try)
			}
			if math.IsNaN(share) || share <= o.MaxOthers {
				break
			}
			fmt.Fprintf(o.Log, "calibrate: timing round %d of %d: other processes used %.0f%% of the machine's CPU (try %d of %d, limit %.0f%%)\n",
				r+1, rounds, 100*share, try, o.Repeat, 100*o.MaxOthers)
			if try < o.Repeat {
				// Give the competition a moment to end: as long as the round
				// took, between 10 ms and 1 s.
				time.Sleep(min(time.Second, max(10*time.Millisecond, time.Duration(wall*float64(time.Second)))))
			}
		}
		for i, t := range ts {
			t.add(best[i])
		}
	}
	return nil
}

// rounds is how many rounds timeRounds times: Rounds, at most one per run.
func (o Options) rounds() int { return max(1, min(o.Rounds, o.Runs)) }

// onGPU reports whether the session asks for a GPU provider.
func (o Options) onGPU() bool {
	return o.Session.Provider != "" && o.Session.Provider != models.ProviderCPU
}

// judgeCPU is the machine CPU time (all CPUs, seconds) a round must span
// for its share of other processes to be judged, and retried: /proc/stat
// counts in 10 ms ticks, a tick or two either way, so a shorter span's share
// is mostly rounding (spans of 0.05 s read 10 to 24 % on a machine whose
// whole calibration read 0 to 4 %). Every block counts towards its model's
// share (others) all the same.
const judgeCPU = 0.25

// block is one configuration's runs in one round and what the machine did
// meanwhile.
type block struct {
	samples                     []float64
	others, machine, self, wall float64 // CPU seconds: other processes' (unclamped), the machine's, ours; wall seconds
	known                       bool
}

// timeBlock times one configuration's runs of a round.
func timeBlock(t *timed, warm, n int) (block, error) {
	before, start := snapCPU(), time.Now()
	samples, err := timeRuns(warm, n, t.run)
	wall := time.Since(start).Seconds()
	after := snapCPU()
	if err != nil {
		return block{}, fmt.Errorf("calibrate: %s: %w", t.name, err)
	}
	b := block{samples: samples, wall: wall, known: before.ok && after.ok}
	if b.known {
		// Unclamped, so that rounding in short blocks cancels out.
		b.others = (after.busy - before.busy) - (after.self - before.self)
		b.machine = after.total - before.total
		b.self = after.self - before.self
	}
	return b, nil
}

// add keeps a block's runs and accounts.
func (t *timed) add(b block) {
	t.known = b.known
	t.samples = append(t.samples, b.samples...)
	t.ends = append(t.ends, len(t.samples))
	t.othersCPU += b.others
	t.machineCPU += b.machine
	t.selfCPU += b.self
	t.wall += b.wall
}

// median of a sample (which it leaves unsorted).
func median(s []float64) float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	return quantileSorted(c, 0.5)
}

// others is the share of the machine's CPU time other processes used over
// the kept rounds (NaN when unknown or too short to tell).
func (t *timed) others() float64 {
	if !t.known || t.machineCPU < judgeCPU {
		return math.NaN()
	}
	return math.Min(math.Max(t.othersCPU/t.machineCPU, 0), 1)
}

// onCPU is this process's CPU time over the wall time of the kept rounds.
func (t *timed) onCPU() float64 {
	if !t.known || t.wall <= 0 {
		return math.NaN()
	}
	return t.selfCPU / t.wall
}

// periodMedians are t's medians over steadyPeriods consecutive groups of
// its rounds, in time order.
func (t *timed) periodMedians() []float64 {
	n := min(steadyPeriods, len(t.ends))
	var out []float64
	start := 0
	for p := range n {
		end := t.ends[(p+1)*len(t.ends)/n-1]
		if end > start {
			out = append(out, median(t.samples[start:end]))
		}
		start = end
	}
	return out
}

// spread is how far apart round medians are: the largest over the
// smallest, minus 1 (0 with one round).
func spread(medians []float64) float64 {
	if len(medians) < 2 {
		return 0
	}
	lo, hi := minMax(medians)
	if lo <= 0 {
		return 0
	}
	return hi/lo - 1
}

// verdict turns t's rounds into a timing: the warnings and notes the
// profile carries, or an error when contaminated rounds are refused. A brief
// verdict leaves out the explanations (a batch size's, after batch 1's).
func (o Options) verdict(t *timed, brief bool) (timing, error) {
	tm := timing{samples: t.samples, others: t.others(), onCPU: t.onCPU(), tries: t.tries, medians: t.periodMedians()}
	if tm.others > o.MaxOthers {
		msg := fmt.Sprintf("other processes used %.0f%% of the machine's CPU time while it was timed (the cleanest of up to %d tries per round; limit %.0f%%, --max-others): its latency tail is partly theirs",
			100*tm.others, o.Repeat, 100*o.MaxOthers)
		if !o.AllowNoisy {
			return timing{}, fmt.Errorf("calibrate: %s: %s; run on an idle machine, try more often (--repeat), or pass --allow-noisy to write the profile anyway, marked noisy", t.name, msg)
		}
		tm.warnings = append(tm.warnings, "noisy timing: "+msg)
	}
	switch {
	case !t.known:
		tm.warnings = append(tm.warnings, "other processes' CPU use could not be measured (no /proc/stat): the latency tail may include theirs")
	case math.IsNaN(tm.others):
		tm.notes = append(tm.notes, "the timing was too short for /proc/stat's 10 ms resolution to measure other processes' CPU use")
	}
	if s := spread(tm.medians); s > unsteadyShare && len(t.samples) >= steadyRuns*len(tm.medians) {
		lo, hi := minMax(tm.medians)
		w := fmt.Sprintf("unsteady timing: its medians in %d periods of the calibration ranged from %s to %s (%.0f%% apart)", len(tm.medians), ms(lo), ms(hi), 100*s)
		if !brief {
			w += ": the machine's speed changed while it calibrated (clock scaling, a GPU's clocks, other work, a thread moved between unequal cores); " +
				"every model took turns in each round, so the models stay comparable and the tables hold all rounds, but a steadier machine " +
				"(fixed clocks, the process pinned to one core with taskset) gives a tighter profile"
		}
		tm.warnings = append(tm.warnings, w)
	}
	return tm, nil
}

func minMax(s []float64) (lo, hi float64) {
	lo, hi = s[0], s[0]
	for _, v := range s[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}
