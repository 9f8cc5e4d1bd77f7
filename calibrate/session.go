package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// Model calibrates one ONNX classifier file: an S-CNN ([N, C] out), a
// Collage-CNN ([N, g*g, C] out) or a parity model ([N, C] out, declared
// with Role). What spec leaves unset is inferred (see Spec).
func Model(path string, spec Spec, o Options) (sim.Model, Report, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return sim.Model{}, Report{}, err
	}
	if err := models.InitRuntime(o.Library); err != nil {
		return sim.Model{}, Report{}, err
	}
	s, err := models.OpenFile(path, o.Session)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	defer s.Close()
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if spec.SourceSide == 0 {
		fmt.Sscan(s.Meta[models.MetaSingleSide], &spec.SourceSide)
	}
	if spec.Train == "" {
		spec.Train = s.Meta[models.MetaTrain]
	}
	return calibrateSession(s, spec, o)
}

// Profile wraps models calibrated one by one (Model) into a profile.
func Profile(ms []sim.Model, o Options) *sim.Profile {
	o = o.withDefaults()
	p := &sim.Profile{Name: o.ProfileName, Meta: newMeta(o), Models: ms}
	p.Source = fmt.Sprintf("measured by collagesim calibrate on %s, %s: ONNX Runtime %s, provider %s, %s; latency is Session.Run timed from Go, %d runs after %d warm-up per model",
		p.Meta.Hardware, p.Meta.Date, p.Meta.RuntimeVersion, p.Meta.Provider, p.Meta.Threads, o.Runs, o.Warmup)
	return p
}

func calibrateSession(s *models.Session, spec Spec, o Options) (sim.Model, Report, error) {
	r, err := resolve(s, spec)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	if r.batch > 1 {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s: the model's batch size is fixed at %d, but latency is timed at batch 1: "+
			"export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={\"input\": {0: \"N\"}, \"output\": {0: \"N\"}})) or at batch 1", spec.Name, r.batch)
	}
	for _, b := range o.Batches {
		if r.batch == 1 && b != 1 {
			return sim.Model{}, Report{}, usagef("%s: --batch %d: the model's batch size is fixed at 1 (PyTorch's default export); export it with a dynamic batch axis to time larger batches", spec.Name, b)
		}
	}
	b, err := s.Bind(r.shape)
	if err != nil {
		return sim.Model{}, Report{}, fmt.Errorf("calibrate: %w", err)
	}
	defer func() {
		if b != nil {
			b.Close()
		}
	}()
	if err := r.inferRole(spec.Name, b.OutputShape()); err != nil {
		return sim.Model{}, Report{}, err
	}
	spec = r.spec
	side := r.in.w
	rep := Report{Name: spec.Name, Accuracy: math.NaN(), Coverage: math.NaN(), Input: r.in.describe(), Notes: r.notes}
	fmt.Fprintf(o.Log, "calibrate: %s (%s", spec.Name, spec.Role)
	switch spec.Role {
	case sim.RoleCollage:
		fmt.Fprintf(o.Log, " %dx%d, %s", spec.Grid, spec.Grid, spec.Cells)
	case sim.RoleParity:
		fmt.Fprintf(o.Log, " k=%d", spec.Grid)
	}
	fmt.Fprintf(o.Log, ", input %v: %s; output %v)\n", r.shape, rep.Input, r.outDims)
	if r.batch == 1 {
		fmt.Fprintf(o.Log, "calibrate: %s: the batch size is fixed at 1: accuracy runs one input at a time\n", spec.Name)
	}

	m := sim.Model{Name: spec.Name, Role: spec.Role, Accuracy: math.NaN(), Coverage: math.NaN()}
	if spec.Role == sim.RoleCollage || spec.Role == sim.RoleParity {
		m.Grid = spec.Grid
	}
	for _, d := range r.shape {
		m.InputShape = append(m.InputShape, int(d))
	}
	ev := newEvaluator(s, r)
	if spec.Data != nil && spec.Data.Len() > 0 {
		if err := ev.checkSizes(&rep); err != nil {
			return sim.Model{}, Report{}, err
		}
	}

	// An example input: a real image (or collage) where there is data, so
	// the timing runs on the same kind of input the model serves.
	example := make([]float32, r.in.size())
	if spec.Data != nil && spec.Data.Len() > 0 {
		n := 1
		switch spec.Role {
		case sim.RoleCollage:
			n = min(spec.Data.Len(), spec.Grid*spec.Grid)
		case sim.RoleParity:
			n = min(spec.Data.Len(), spec.Grid)
		}
		group := make([]int, n)
		for i := range group {
			group[i] = i
		}
		if err := ev.item(example, group, r.in); err != nil {
			return sim.Model{}, Report{}, err
		}
	} else {
		rg := rand.New(rand.NewPCG(1, 1))
		for i := range example {
			example[i] = rg.Float32()
		}
	}

	// Latency at batch 1, retried while other processes compete.
	copy(b.Input(), example)
	t, err := o.timeHonest(spec.Name, b.Run)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	samples := t.samples
	rep.Others, rep.OnCPU, rep.Tries = t.others, t.onCPU, t.tries
	rep.Warnings = append(rep.Warnings, t.warnings...)
	rep.Notes = append(rep.Notes, t.notes...)
	in := b.Input()
	fill, _ := timeRuns(10, o.Runs, func() error { copy(in, example); return nil })
	b.Close()
	b = nil
	m.Latency = QuantileTable(samples, o.Points)
	rep.Latency = Summarise(samples)
	rep.Fill = Summarise(fill)
	if ov, err := callOverhead(r.shape, o); err == nil {
		rep.Overhead = Summarise(ov)
	} else {
		fmt.Fprintf(o.Log, "calibrate: %s: measuring call overhead: %v\n", spec.Name, err)
	}
	fmt.Fprintf(o.Log, "calibrate: %s: latency p50 %s p99 %s CV %.3f over %d runs; other processes' CPU share %.0f%%\n",
		spec.Name, ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV, rep.Latency.N, 100*rep.Others)

	// Latency at other batch sizes.
	for _, batch := range o.Batches {
		bs := append([]int64(nil), r.shape...)
		bs[0] = int64(batch)
		bb, err := s.Bind(bs)
		if err != nil {
			return sim.Model{}, Report{}, fmt.Errorf("calibrate: %w", err)
		}
		bin := bb.Input()
		for i := range batch {
			copy(bin[i*len(example):], example)
		}
		samples, err := timeRuns(o.Warmup, o.Runs, bb.Run)
		bb.Close()
		if err != nil {
			return sim.Model{}, Report{}, fmt.Errorf("calibrate: %s batch %d: %w", spec.Name, batch, err)
		}
		m.BatchLatency = append(m.BatchLatency, sim.BatchLatency{Batch: batch, Latency: QuantileTable(samples, o.Points)})
		st := Summarise(samples)
		rep.Batches = append(rep.Batches, st)
		fmt.Fprintf(o.Log, "calibrate: %s: batch %d p50 %s p99 %s\n", spec.Name, batch, ms(st.P50), ms(st.P99))
	}

	// Encoding time: g*g source images resized into one collage, or k
	// source images averaged into one parity input.
	if spec.Role == sim.RoleCollage || spec.Role == sim.RoleParity {
		timeEncode(spec, side, o, &m, &rep)
	}

	// Decoding time (parity): the parity output minus k-1 S-CNN outputs.
	if spec.Role == sim.RoleParity {
		dec := timeDecode(spec.Grid, r.classes, o)
		m.Decode = QuantileTable(dec, o.Points)
		st := Summarise(dec)
		rep.Decode = &st
		fmt.Fprintf(o.Log, "calibrate: %s: decoding (parity output minus %d outputs): p50 %.0f ns p99 %.0f ns\n",
			spec.Name, spec.Grid-1, st.P50, st.P99)
	}

	// Accuracy.
	var accText string
	if spec.Data != nil && spec.Data.Len() > 0 {
		var err error
		switch spec.Role {
		case sim.RoleCollage:
			accText, err = ev.collageAccuracy(o, &m, &rep)
		case sim.RoleParity:
			if spec.Single != nil {
				accText, err = ev.parityAccuracy(o, &m, &rep)
			} else {
				accText = "degraded-mode accuracy not measured: no S-CNN outputs to decode with"
			}
		default:
			accText, err = ev.singleAccuracy(o, &m, &rep)
		}
		if err != nil {
			return sim.Model{}, Report{}, err
		}
		fmt.Fprintf(o.Log, "calibrate: %s: %s\n", spec.Name, accText)
		if spec.Role != sim.RoleParity && spec.Head == "" {
			if err := ev.probeNormalisation(o, &rep); err != nil {
				return sim.Model{}, Report{}, err
			}
		}
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(o.Log, "calibrate: %s: WARNING: %s\n", spec.Name, w)
	}

	m.Source = fmt.Sprintf("%s: Session.Run at batch 1, %d runs after %d warm-up: p50 %s, p99 %s, CV %.3f",
		s.Name, o.Runs, o.Warmup, ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV)
	if !math.IsNaN(rep.Others) {
		m.Source += fmt.Sprintf(" (other processes used %.0f%% of the machine's CPU time meanwhile)", 100*rep.Others)
	}
	m.Source += "; input " + rep.Input
	if accText != "" {
		m.Source += "; " + accText
	}
	if spec.Train != "" {
		m.Source += "; head: " + spec.Train
	}
	for _, w := range rep.Warnings {
		m.Source += "; WARNING: " + w
	}
	return m, rep, nil
}

func timeEncode(spec Spec, side int, o Options, m *sim.Model, rep *Report) {
	src := spec.SourceSide
	n := spec.Grid * spec.Grid
	var encode func(dst []float32, imgs []models.Image)
	what := "collage"
	if spec.Role == sim.RoleParity {
		n = spec.Grid
		encode = (&models.ParityEncoder{K: spec.Grid, Side: side}).Encode
		what = "parity input"
		if src <= 0 {
			src = side
		}
	} else {
		c := &models.Collager{Grid: spec.Grid, Cell: side / spec.Grid}
		if side%spec.Grid != 0 {
			c.Size = side
		}
		encode = c.Encode
	}
	if src <= 0 {
		src = side / spec.Grid
	}
	imgs := make([]models.Image, n)
	for i := range imgs {
		if spec.Data != nil && i < spec.Data.Len() {
			if img, err := spec.Data.Load(i); err == nil && img.W == src && img.H == src {
				imgs[i] = img
				continue
			}
		}
		imgs[i] = models.NewImage(src, src)
		r := rand.New(rand.NewPCG(2, uint64(i)))
		for j := range imgs[i].Pix {
			imgs[i].Pix[j] = r.Float32()
		}
	}
	dst := make([]float32, 3*side*side)
	enc, _ := timeRuns(o.Warmup, o.Runs, func() error { encode(dst, imgs); return nil })
	m.Encode = QuantileTable(enc, o.Points)
	st := Summarise(enc)
	rep.Encode = &st
	fmt.Fprintf(o.Log, "calibrate: %s: encoding %d images of %dx%d into a %dx%d %s: p50 %s p99 %s\n",
		spec.Name, len(imgs), src, src, side, side, what, ms(st.P50), ms(st.P99))
}
