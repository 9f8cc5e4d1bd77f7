package results

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/sim"
)

// TraceFiles returns a sim.Options.Trace that writes each run's answers to
// dir/trace-<strategy>-rep<N>.csv (the strategy's name made safe as a file
// name, see SafeName; columns id, arrival_ms, latency_ms,
// source), each file written to a temporary name and renamed when complete.
func TraceFiles(dir string) func(strategy string, rep int) (sim.TraceSink, error) {
	return func(strategy string, rep int) (sim.TraceSink, error) {
		path := filepath.Join(dir, fmt.Sprintf("trace-%s-rep%d.csv", SafeName(strategy), rep))
		f, err := atomicfile.Create(path)
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<16)
		w.WriteString("id,arrival_ms,latency_ms,source\n")
		return &traceFile{f: f, w: w}, nil
	}
}

type traceFile struct {
	f   *atomicfile.File
	w   *bufio.Writer
	buf []byte
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
	if err := t.w.Flush(); err != nil {
		t.f.Abort()
		return fmt.Errorf("results: trace %s: %w", t.f.Path(), err)
	}
	if err := t.f.Commit(); err != nil {
		return fmt.Errorf("results: trace: %w", err)
	}
	return nil
}
