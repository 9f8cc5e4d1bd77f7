package results

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/collagesim/collagesim/sim"
)

// TraceFiles returns a sim.Options.Trace that writes each run's answers to
// dir/trace-<strategy>-rep<N>.csv (columns id, arrival_ms, latency_ms,
// source), each file written to a temporary name and renamed when complete.
func TraceFiles(dir string) func(strategy string, rep int) (sim.TraceSink, error) {
	return func(strategy string, rep int) (sim.TraceSink, error) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		path := filepath.Join(dir, fmt.Sprintf("trace-%s-rep%d.csv", strategy, rep))
		f, err := os.CreateTemp(dir, ".trace*.tmp")
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<16)
		w.WriteString("id,arrival_ms,latency_ms,source\n")
		return &traceFile{f: f, w: w, path: path}, nil
	}
}

type traceFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
	buf  []byte
}

func (t *traceFile) Answer(r sim.TraceRecord) {
	b := t.buf[:0]
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, float64(r.ArrivalNs)/1e6, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, float64(r.LatencyNs)/1e6, 'f', 6, 64)
	b = append(b, ',')
	b = append(b, r.Source...)
	b = append(b, '\n')
	t.w.Write(b)
	t.buf = b
}

func (t *traceFile) Close() error {
	err := firstErr(t.w.Flush(), t.f.Sync(), t.f.Close())
	if err == nil {
		err = os.Chmod(t.f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(t.f.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("results: trace %s: %w", t.path, err)
	}
	return nil
}
