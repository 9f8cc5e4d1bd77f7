package results

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/sim"
)

// TraceHeader is the header line of a trace file.
const TraceHeader = "id,arrival_ms,latency_ms,wait_ms,service_ms,pool,server,source,correct,failed"

// TraceFiles returns a sim.Options.Trace that writes each run's answers to
// dir/trace-<strategy>-rep<N>.csv (the strategy's name made safe as a file
// name, see SafeName; columns as in TraceHeader, meaning as in
// sim.TraceRecord: one row per answer in the order the load balancer got
// them, then one row per request that never got an answer, by id, with only
// id, arrival_ms and failed=true; correct is empty where the answering model
// has no accuracy), each file written to a temporary name and renamed when
// complete.
func TraceFiles(dir string) func(strategy string, rep int) (sim.TraceSink, error) {
	return func(strategy string, rep int) (sim.TraceSink, error) {
		path := filepath.Join(dir, fmt.Sprintf("trace-%s-rep%d.csv", SafeName(strategy), rep))
		f, err := atomicfile.Create(path)
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<16)
		w.WriteString(TraceHeader + "\n")
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
	ms := func(b []byte, ns int64) []byte { return strconv.AppendFloat(b, float64(ns)/1e6, 'f', 6, 64) }
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, ',')
	b = ms(b, r.ArrivalNs)
	if r.Failed {
		b = append(b, ",,,,,,,,true\n"...)
		t.w.Write(b)
		t.buf = b
		return
	}
	b = append(b, ',')
	b = ms(b, r.LatencyNs)
	b = append(b, ',')
	b = ms(b, r.WaitNs)
	b = append(b, ',')
	b = ms(b, r.ServiceNs)
	b = append(b, ',')
	b = append(b, r.Pool...)
	b = append(b, ',')
	if r.Server >= 0 {
		b = strconv.AppendInt(b, int64(r.Server), 10)
	}
	b = append(b, ',')
	b = append(b, r.Source...)
	b = append(b, ',')
	if r.CorrectKnown {
		b = strconv.AppendBool(b, r.Correct)
	}
	b = append(b, ",false\n"...)
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
