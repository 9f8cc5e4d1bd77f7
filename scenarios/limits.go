package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/collagesim/collagesim/sim"
)

// Limits on what a scenario may ask for. Each is checked when the file is
// read, before any work, and named in the message of the error it raises;
// the README (Scenario and profile files, Limits) says why each is where it is.
const (
	// MaxFileBytes bounds a scenario or profile file: the largest profile
	// calibration writes is about 100 kB.
	MaxFileBytes = 8 << 20
	// MaxDataFileBytes bounds a latency file (quantile table, samples) or an
	// arrival trace: the paper's 100,000-sample trace is 1.2 MB.
	MaxDataFileBytes = 256 << 20
	// MaxNesting bounds how deeply arrays, inline tables and dotted keys
	// nest; no scenario needs more than 4, and the TOML decoder takes time
	// and memory quadratic in the depth.
	MaxNesting = 32
	// MaxReplications bounds replications: each keeps a latency histogram
	// (8 kB per power of two its latencies span, 430 kB at most) until the
	// results are joined.
	MaxReplications = 1_000
	// MaxJobs bounds strategies x replications (the independent runs), for
	// the same reason.
	MaxJobs = 10_000
	// MaxServers bounds the servers of all pools together: each costs about
	// 600 bytes in every run that is going at once.
	MaxServers = 1_000_000
	// MaxSlots bounds the tasks one server runs at once.
	MaxSlots = 1_000
	// MaxBatch bounds the requests that arrive together.
	MaxBatch = 10_000
	// MaxTotalRequests bounds (warmup + requests) x strategies x
	// replications: about a day of one core.
	MaxTotalRequests = 10_000_000_000
	// MaxVirtualTime bounds any duration and the expected length of a run in
	// the simulated clock (int64 nanoseconds overflow after 292 years; the
	// margin leaves room for latency tails).
	MaxVirtualTime = 10 * 365 * 24 * 3600 * int64(1e9)
	// MinArrivalGap is the smallest mean time between arrivals (of batches):
	// the clock counts whole nanoseconds, so faster arrivals would round to
	// simultaneous ones.
	MinArrivalGap = 1_000 // ns
	// MaxNameLength bounds names used in file names.
	MaxNameLength = 64
	// MaxStateChanges bounds the expected state changes of the arrival
	// process (mmpp) and of the straggler models that switch servers between
	// states (markov, failure) over one run: each is an event, and holding
	// times of nanoseconds would make a run of seconds never end.
	MaxStateChanges = 1_000_000_000
)

// readLimited reads a file of at most limit bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpened(f, limit)
}

// readOpened reads the open file f, of at most limit bytes.
func readOpened(f *os.File, limit int64) ([]byte, error) {
	name := f.Name()
	size := int64(512)
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a file", name)
		}
		size = min(max(fi.Size(), 0), limit) + 1
	}
	// Read into a buffer of the file's size and one byte more, which tells
	// EOF (or a file over the limit) without growing the buffer: a 1 MB
	// trace is one allocation and one copy.
	data := make([]byte, 0, size)
	r := io.LimitReader(f, limit+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew since Stat
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, limit)
	}
	return data, nil
}

// tooLarge is the error of a file over limit bytes.
func tooLarge(name string, limit int64) error {
	return fmt.Errorf("%s is larger than the limit of %d bytes", name, limit)
}

// limitErr formats the message of a broken limit.
func limitErr(what string, got any, limit any, why string) string {
	return fmt.Sprintf("%s is %v, above the limit of %v (%s)", what, got, limit, why)
}

// checkText refuses, before decoding, a file too large or nested too deeply
// for the TOML decoder to take in reasonable time and memory.
func checkText(file string, data []byte) error {
	if len(data) > MaxFileBytes {
		return &Error{File: file, Msg: fmt.Sprintf("the file is %d bytes, above the limit of %d (MaxFileBytes): a scenario or profile is a few kB; put long value lists in a latency file", len(data), MaxFileBytes)}
	}
	if line, depth := nestingDepth(data); depth > MaxNesting {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf("arrays, inline tables and dotted keys nest more than %d deep here, above the limit (MaxNesting)", MaxNesting)}
	}
	return nil
}

// nestingDepth scans TOML text for the deepest nesting of brackets, braces
// and dotted-key parts outside strings and comments, and returns the line
// where it first goes beyond MaxNesting (or the deepest seen). It does not
// check syntax: the decoder does that afterwards.
func nestingDepth(data []byte) (line, deepest int) {
	line = 1
	depth := 0 // open [ and {
	dots := 0  // dots of the key being read (at a line start or in an inline table)
	inKey := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			dots = 0
			inKey = depth == 0 || inKey
			continue
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
			continue
		case '"', '\'':
			delim := []byte{c}
			if bytes.HasPrefix(data[i:], []byte{c, c, c}) {
				delim = []byte{c, c, c}
			}
			j := i + len(delim)
			for j < len(data) {
				if c == '"' && data[j] == '\\' {
					j += 2
					continue
				}
				if len(delim) == 1 && data[j] == '\n' {
					break // unterminated: the decoder reports it
				}
				if bytes.HasPrefix(data[j:], delim) {
					j += len(delim) - 1
					break
				}
				if data[j] == '\n' {
					line++
				}
				j++
			}
			i = min(j, len(data)-1)
			continue
		case '[', '{':
			depth++
			if c == '{' {
				inKey, dots = true, 0
			}
		case ']', '}':
			depth = max(0, depth-1)
		case '=':
			inKey = false
		case ',':
			inKey, dots = true, 0
		case '.':
			if inKey {
				dots++
			}
		}
		if d := depth + dots; d > deepest {
			deepest = d
			if d > MaxNesting {
				return line, d
			}
		}
	}
	return line, deepest
}

// limits checks the whole scenario against the limits above and the
// simulated clock's range.
func (d *decoder) limits(t *table, sc *sim.Scenario) {
	n := len(d.errs) // the checks of the whole follow only when the parts pass
	if sc.Replications > MaxReplications {
		t.errf("replications", "%s", limitErr("replications", sc.Replications, MaxReplications, "MaxReplications: each keeps its latency histogram; use more requests instead"))
	}
	servers := 0
	for i, p := range sc.Pools {
		if p.Servers > MaxServers {
			d.errAt(indexPath("pools", i)+".servers", "%s", limitErr("servers", p.Servers, MaxServers, "MaxServers"))
		}
		if p.Slots > MaxSlots {
			d.errAt(indexPath("pools", i)+".slots", "%s", limitErr("slots", p.Slots, MaxSlots, "MaxSlots"))
		}
		servers += min(p.Servers, MaxServers+1)
	}
	if servers > MaxServers && len(d.errs) == n {
		t.errf("pools", "%s", limitErr("the pools' servers together", servers, MaxServers, "MaxServers: each costs about 600 bytes in every run going at once"))
	}
	if len(d.errs) > n {
		return
	}
	reps := max(1, sc.Replications)
	if n := len(sc.Strategies) * min(reps, MaxReplications); n > MaxJobs {
		t.errf("replications", "%s", limitErr("strategies x replications", n, MaxJobs, "MaxJobs"))
	}
	a := &sc.Arrivals
	if a.Batch > MaxBatch {
		d.errAt("arrivals.batch", "%s", limitErr("batch", a.Batch, MaxBatch, "MaxBatch"))
		return
	}
	// The simulated clock: mean gap between batches, and the run's length.
	for _, k := range []struct {
		key  string
		rate float64
	}{{"rate", a.Rate}, {"rate2", a.Rate2}} {
		if k.rate > 0 && float64(max(1, a.Batch))/k.rate*1e9 < MinArrivalGap {
			d.errAt("arrivals."+k.key, "%s requests/s in batches of %d arrive every %.3g ns on average, below the limit of %d ns (MinArrivalGap: the clock counts whole nanoseconds); lower the rate or raise the batch", strconv.FormatFloat(k.rate, 'g', 4, 64), max(1, a.Batch), float64(max(1, a.Batch))/k.rate*1e9, MinArrivalGap)
			return
		}
	}
	_, length := expectedRun(sc)
	if length > float64(MaxVirtualTime) {
		what := "arrivals.rate"
		if sc.Duration > 0 {
			what = "duration"
		}
		d.errAt(what, "the run would last %s of simulated time on average, above the limit of %s (MaxVirtualTime: the clock is int64 nanoseconds); raise the rate or lower requests", humanDuration(length), humanDuration(float64(MaxVirtualTime)))
	}
	if len(d.errs) > n {
		return
	}
	d.stateChanges(sc, length)
	if total := Work(sc); total > MaxTotalRequests {
		t.errf("requests", "%s", limitErr("(warmup + requests) x strategies x replications", fmt.Sprintf("%.3g", total), fmt.Sprintf("%.0e", float64(MaxTotalRequests)), "MaxTotalRequests: about a day of one core"))
	}
	if len(d.errs) > n {
		return
	}
	if need := EstimateMemory(sc, 1); need > 0 {
		if have := MachineMemory(); have > 0 && need > have*9/10 {
			t.errf("", "this run needs about %s of memory (servers, replications, outstanding requests), more than 90%% of this machine's %s; use fewer servers, replications or requests", humanBytes(need), humanBytes(have))
		}
	}
}

// expectedRun is the expected number of requests one run of sc simulates
// (warmup included) and the run's expected length in simulated ns.
func expectedRun(sc *sim.Scenario) (arrivals, length float64) {
	a := &sc.Arrivals
	meanRate := a.Rate // requests per second
	if a.Process == sim.ArrivalMMPP {
		m1, m2 := a.Hold.Mean(), a.Hold2.Mean()
		if m1 > 0 && m2 > 0 && !math.IsInf(m1+m2, 0) {
			meanRate = (a.Rate*m1 + a.Rate2*m2) / (m1 + m2)
		}
	}
	arrivals = float64(sc.Warmup + sc.Requests)
	switch {
	case a.Process == sim.ArrivalTrace:
		if n := len(a.Times); n > 0 {
			length = float64(a.Times[n-1])
			if sc.Duration > 0 {
				length = min(length, float64(sc.Duration))
			}
		}
		if arrivals == 0 || sc.Duration > 0 {
			arrivals = float64(len(a.Times) * max(1, a.Batch))
		}
	case sc.Duration > 0:
		length = float64(sc.Duration)
		if n := meanRate * length / 1e9; sc.Requests == 0 || n < arrivals {
			arrivals = n
		}
	case meanRate > 0:
		length = arrivals / meanRate * 1e9
	}
	return arrivals, length
}

// Work is the requests simulating sc takes in all, expected: (warmup +
// requests) x strategies x replications, what MaxTotalRequests bounds.
func Work(sc *sim.Scenario) float64 {
	arrivals, _ := expectedRun(sc)
	return arrivals * float64(len(sc.Strategies)*max(1, sc.Replications))
}

// stateChanges checks that the state-switching processes change state at
// most MaxStateChanges times, on average, over a run of length ns.
func (d *decoder) stateChanges(sc *sim.Scenario, length float64) {
	check := func(path string, a, b sim.Dist, copies int) {
		cycle := a.Mean() + b.Mean()
		if !(cycle > 0) || math.IsInf(cycle, 0) {
			return // reported where the distributions are read
		}
		if n := 2 * length / cycle * float64(copies); n > MaxStateChanges {
			d.errAt(path, "the states change about %.3g times in a run of %s (a cycle of %s on average, on %d server(s) or streams), above the limit of %.0e (MaxStateChanges); lengthen the holding times", n, humanDuration(length), humanDuration(cycle), copies, float64(MaxStateChanges))
		}
	}
	if a := &sc.Arrivals; a.Process == sim.ArrivalMMPP {
		check("arrivals.hold", a.Hold, a.Hold2, 1)
	}
	for i, st := range sc.Stragglers {
		servers := 0
		for _, p := range sc.Pools {
			if len(st.Pools) == 0 || slices.Contains(st.Pools, p.Name) {
				servers += p.Servers
			}
		}
		if len(st.Servers) > 0 {
			servers = len(st.Servers) * max(1, len(st.Pools))
		}
		switch st.Kind {
		case sim.StragglerMarkov:
			check(indexPath("stragglers", i)+".slow_for", st.SlowFor, st.NormalFor, servers)
		case sim.StragglerFailure:
			check(indexPath("stragglers", i)+".fail_after", st.FailAfter, st.RepairAfter, servers)
		}
	}
}

func humanDuration(ns float64) string {
	const year = 365 * 24 * 3600 * 1e9
	switch {
	case ns >= year:
		return fmt.Sprintf("%.3g years", ns/year)
	case ns >= 24*3600*1e9:
		return fmt.Sprintf("%.3g days", ns/(24*3600*1e9))
	}
	return fmt.Sprintf("%.3g s", ns/1e9)
}

// safeName checks a name that becomes part of a file name (scenario,
// pool, strategy and model names): letters, digits, '.', '_' and '-', not
// starting with '.' or '-', at most MaxNameLength characters.
func safeName(s string) error {
	if s == "" {
		return fmt.Errorf("must not be empty")
	}
	if len(s) > MaxNameLength {
		return fmt.Errorf("%s is %d characters long, above the limit of %d (MaxNameLength)", echo(s), len(s), MaxNameLength)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("%s holds %s: names become file names, so use only letters, digits, '.', '_' and '-'", echo(s), strconv.QuoteRune(c))
		}
	}
	if s[0] == '.' || s[0] == '-' {
		return fmt.Errorf("%s starts with %q: names become file names, so start with a letter, digit or '_'", echo(s), s[0])
	}
	return nil
}

// CheckLimits checks a scenario changed after loading (by command-line
// overrides) against the limits Load checks.
func CheckLimits(sc *sim.Scenario) error {
	d := &decoder{file: sc.Name + " (with the command line's overrides)", lines: lineIndex{}}
	d.limits(d.table("", map[string]any{}), sc)
	return d.err()
}
