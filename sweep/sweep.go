// Package sweep runs the points of a parameter sweep on a worker pool, one
// result file per point written atomically, so that an interrupted sweep
// resumes where it stopped and shards run on many machines merge into one
// result; it runs a plain scenario the same way (Simulate), with progress on
// a timer and the share of requests within an SLO; and it finds the smallest
// cluster that meets a latency SLO and the highest load that does (plan).
package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Point is one sweep point: the parameter values and the scenario with them applied.
type Point struct {
	Index    int
	Params   []results.Param
	Scenario *sim.Scenario
}

// Header describes the sweep every point file belongs to; Merge refuses to
// join files of different sweeps.
type Header struct {
	Scenario     string   `json:"scenario"`
	Seed         uint64   `json:"seed"`
	Points       int      `json:"points"` // points in the whole sweep
	SweepParams  []string `json:"sweep_params,omitempty"`
	ScenarioText string   `json:"scenario_text,omitempty"`
	Profile      string   `json:"profile,omitempty"`
	Overrides    []string `json:"overrides,omitempty"`
	Tool         string   `json:"tool"`
	// SLO, when the sweep counts the share of requests within one.
	SLO *results.SLO `json:"slo,omitempty"`
}

// Fingerprint identifies the sweep: same scenario text, seed, points,
// overrides and tool, same fingerprint.
func (h *Header) Fingerprint() string {
	b, _ := json.Marshal(h)
	return strconv.FormatUint(sim.StreamID(string(b)), 16)
}

// pointFile is what points/point-NNNNN.json holds.
type pointFile struct {
	Version     int           `json:"version"`
	Fingerprint string        `json:"fingerprint"`
	Header      Header        `json:"header"`
	Point       results.Point `json:"point"`
}

// Shard selects every N-th point starting at I (0 <= I < N).
type Shard struct{ I, N int }

// Owns reports whether point index belongs to the shard.
func (s Shard) Owns(index int) bool { return s.N <= 1 || index%s.N == s.I }

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("sweep: shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{I: i, N: n}, nil
}

// ShardFromEnv finds the shard of a Slurm array task (SLURM_ARRAY_TASK_ID)
// or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX). The task's index is the
// shard index as it is; the number of shards of the whole sweep comes from
// count (the --shards flag) or COLLAGESIM_SHARDS, never from
// SLURM_ARRAY_TASK_COUNT, which counts only one submission: a partial array
// (--array=0,2) or a resubmitted subset must keep every task on its own
// shard. ok is false when neither variable is set.
func ShardFromEnv(getenv func(string) string, count int) (sh Shard, ok bool, err error) {
	variable, id := "SLURM_ARRAY_TASK_ID", getenv("SLURM_ARRAY_TASK_ID")
	if id == "" {
		variable, id = "JOB_COMPLETION_INDEX", getenv("JOB_COMPLETION_INDEX")
	}
	if id == "" {
		return Shard{}, false, nil
	}
	if i, err := strconv.Atoi(id); err != nil || i < 0 {
		return Shard{}, false, fmt.Errorf("sweep: %s=%q: want a non-negative integer", variable, id)
	}
	n := strconv.Itoa(count)
	if count <= 0 {
		n = getenv("COLLAGESIM_SHARDS")
	}
	if n == "" || n == "0" {
		return Shard{}, false, fmt.Errorf("sweep: %s is set: give the number of shards of the whole sweep with --shards N or COLLAGESIM_SHARDS "+
			"(SLURM_ARRAY_TASK_COUNT counts only this submission)", variable)
	}
	sh, err = ParseShard(id + "/" + n)
	if err != nil {
		return Shard{}, false, fmt.Errorf("sweep: %s=%s with %s shards: %w", variable, id, n, err)
	}
	return sh, true, nil
}

// Options control a sweep run; none changes a point's results.
type Options struct {
	Dir      string // output folder; point files go to Dir/points/
	Workers  int    // points run at once (0: all cores)
	Resume   bool   // skip points whose file is complete
	Shard    Shard
	Progress io.Writer // progress lines (nil: none)
	TTY      bool      // Progress is a terminal: one updating bar
	// Trace, when set, gives each point's trace files (see sim.Options.Trace).
	Trace func(point int) func(strategy string, rep int) (sim.TraceSink, error)
}

// PointPath is the file of point index in dir.
func PointPath(dir string, index int) string {
	return filepath.Join(dir, "points", fmt.Sprintf("point-%05d.json", index))
}

// Run runs the points of the shard and writes one file per point. It
// returns the number of points it ran and skipped (resumed).
func Run(h Header, points []Point, opt Options) (ran, skipped int, err error) {
	fp := h.Fingerprint()
	var todo []Point
	for _, p := range points {
		if !opt.Shard.Owns(p.Index) {
			continue
		}
		if opt.Resume {
			if f, err := readPoint(PointPath(opt.Dir, p.Index)); err == nil && f.Fingerprint == fp && f.Point.Index == p.Index {
				skipped++
				continue
			}
		} else if _, err := os.Stat(PointPath(opt.Dir, p.Index)); err == nil {
			return 0, 0, fmt.Errorf("sweep: %s exists from an earlier sweep: add --resume to keep its finished points, or choose another --out", PointPath(opt.Dir, p.Index))
		}
		todo = append(todo, p)
	}
	bs := make([]*batch, len(todo))
	var total int64
	for i, p := range todo {
		n, err := sim.Jobs(p.Scenario)
		if err != nil {
			return 0, skipped, fmt.Errorf("sweep: point %d (%s): %w", p.Index, paramString(p.Params), err)
		}
		total += int64(n) * p.Scenario.Requests
		bs[i] = &batch{sc: p.Scenario}
		if opt.Trace != nil {
			bs[i].trace = opt.Trace(p.Index)
		}
	}
	prog := startProgress(opt.Progress, opt.TTY, "sweep", total)
	if opt.Progress != nil && skipped > 0 {
		prog.println("sweep: resuming: %d points already done, %d to run", skipped, len(todo))
	}
	finished := 0
	err = runBatches(bs, opt.Workers, withinMs(h), prog, func(i int) error {
		p := todo[i]
		err := writePoint(h, fp, p, bs[i], opt.Dir)
		finished++
		status := "done"
		if err != nil {
			status = "FAILED: " + err.Error()
		}
		if !opt.TTY || err != nil {
			prog.println("sweep: point %d (%s) %s; %d/%d points", p.Index, paramString(p.Params), status, finished, len(todo))
		}
		return err
	})
	prog.finish()
	return len(todo), skipped, err
}

func withinMs(h Header) float64 {
	if h.SLO == nil {
		return 0
	}
	return h.SLO.WithinMs
}

// writePoint assembles a point's job results and writes its file.
func writePoint(h Header, fp string, p Point, b *batch, dir string) error {
	ss, within, err := b.assemble(withinMs(h))
	if err != nil {
		return fmt.Errorf("sweep: point %d (%s): %w", p.Index, paramString(p.Params), err)
	}
	f := pointFile{Version: results.ResultsVersion, Fingerprint: fp, Header: h,
		Point: results.Point{Index: p.Index, Params: p.Params, Strategies: ss, Within: within}}
	js, err := json.Marshal(&f)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return results.WriteFileAtomic(PointPath(dir, p.Index), append(js, '\n'))
}

func paramString(ps []results.Param) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Key+"="+p.Value)
	}
	return strings.Join(parts, " ")
}

func readPoint(path string) (*pointFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f pointFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("sweep: %s: not a complete point file: %w", path, err)
	}
	if f.Version != results.ResultsVersion {
		return nil, fmt.Errorf("sweep: %s: results version %d, this collagesim reads %d", path, f.Version, results.ResultsVersion)
	}
	return &f, nil
}

// Merge joins the point files found in dirs (each a sweep output folder or its
// points/ folder) into one Results. Every point of the sweep must be there.
func Merge(dirs ...string) (*results.Results, error) {
	var files []string
	for _, d := range dirs {
		for _, pat := range []string{filepath.Join(d, "points", "point-*.json"), filepath.Join(d, "point-*.json")} {
			m, err := filepath.Glob(pat)
			if err != nil {
				return nil, fmt.Errorf("sweep: %w", err)
			}
			files = append(files, m...)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("sweep: no point files (points/point-*.json) in %s", strings.Join(dirs, ", "))
	}
	sort.Strings(files)
	var h *Header
	var fp string
	byIndex := map[int]*pointFile{}
	for _, path := range files {
		f, err := readPoint(path)
		if err != nil {
			return nil, err
		}
		if h == nil {
			h, fp = &f.Header, f.Fingerprint
		} else if f.Fingerprint != fp {
			return nil, fmt.Errorf("sweep: %s belongs to another sweep (scenario %q, %d points) than %s (scenario %q, %d points)",
				path, f.Header.Scenario, f.Header.Points, files[0], h.Scenario, h.Points)
		}
		byIndex[f.Point.Index] = f
	}
	var missing []string
	res := &results.Results{Version: results.ResultsVersion, Tool: h.Tool, Scenario: h.Scenario, Seed: h.Seed,
		ScenarioText: h.ScenarioText, Profile: h.Profile, SweepParams: h.SweepParams, Overrides: h.Overrides, SLO: h.SLO}
	for i := 0; i < h.Points; i++ {
		f, ok := byIndex[i]
		if !ok {
			missing = append(missing, strconv.Itoa(i))
			continue
		}
		res.Points = append(res.Points, f.Point)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sweep: %d of %d points missing (%s): run the shards that own them, or the sweep with --resume",
			len(missing), h.Points, strings.Join(missing, ", "))
	}
	return res, nil
}
