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
	s, spec, err := openModel(path, spec, o)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	defer s.Close()
	ms, reps, err := calibrateSessions([]*models.Session{s}, []Spec{spec}, o, nil)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	return ms[0], reps[0], nil
}

// openModel opens an ONNX file and fills in what spec leaves unset from the
// file's name and metadata.
func openModel(path string, spec Spec, o Options) (*models.Session, Spec, error) {
	s, err := models.OpenFile(path, o.Session)
	if err != nil {
		return nil, spec, err
	}
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if spec.SourceSide == 0 {
		fmt.Sscan(s.Meta[models.MetaSingleSide], &spec.SourceSide)
	}
	if spec.Train == "" {
		spec.Train = s.Meta[models.MetaTrain]
	}
	return s, spec, nil
}

// Profile wraps models calibrated one by one (Model) into a profile.
func Profile(ms []sim.Model, o Options) *sim.Profile {
	o = o.withDefaults()
	p := &sim.Profile{Name: o.ProfileName, Meta: newMeta(o), Models: ms}
	p.Source = fmt.Sprintf("measured by collagesim calibrate on %s, %s: ONNX Runtime %s, provider %s, %s; latency is Session.Run timed from Go, %s",
		p.Meta.Hardware, p.Meta.Date, p.Meta.RuntimeVersion, p.Meta.Provider, p.Meta.Threads, o.timingWords())
	return p
}

// timingWords says how latency was timed, for profiles' sources.
func (o Options) timingWords() string {
	return fmt.Sprintf("%d runs after %d warm-up per model and batch size, in %d rounds in which the models took turns",
		o.Runs, o.Warmup, o.rounds())
}

// calibrateSessions calibrates open sessions: it prepares every one, times
// them all in interleaved rounds (timeRounds), then measures the rest
// (accuracy, encoding, decoding) model by model, in order. hooks.before, if
// set, is called before model i's accuracy is measured and may complete its
// spec (a parity model's S-CNN outputs) from the models before it;
// hooks.after, if set, sees each result.
func calibrateSessions(ss []*models.Session, specs []Spec, o Options, hooks *sessionHooks) ([]sim.Model, []Report, error) {
	ps := make([]*pending, 0, len(ss))
	defer func() {
		for _, p := range ps {
			p.close()
		}
	}()
	var ts []*timed
	for i, s := range ss {
		p, err := prepareSession(s, specs[i], o)
		if err != nil {
			return nil, nil, err
		}
		ps = append(ps, p)
		ts = append(ts, p.timers()...)
	}
	gpu := o.watchGPU()
	if err := o.timeRounds(ts); err != nil {
		return nil, nil, err
	}
	gpu.look()
	for _, p := range ps {
		if w := gpu.warning(); w != "" {
			p.rep.Warnings = append(p.rep.Warnings, w)
		}
		if n := gpu.note(); n != "" {
			p.rep.Notes = append(p.rep.Notes, n)
		}
	}
	ms := make([]sim.Model, 0, len(ps))
	reps := make([]Report, 0, len(ps))
	for i, p := range ps {
		if hooks != nil && hooks.before != nil {
			if err := hooks.before(i, &p.spec); err != nil {
				return nil, nil, err
			}
		}
		m, rep, err := p.finish(o)
		if err != nil {
			return nil, nil, err
		}
		if hooks != nil && hooks.after != nil {
			if err := hooks.after(i, m, rep); err != nil {
				return nil, nil, err
			}
		}
		p.close()
		ms, reps = append(ms, m), append(reps, rep)
	}
	return ms, reps, nil
}

// sessionHooks let a caller of calibrateSessions complete a model's spec
// from the models measured before it, and check each result.
type sessionHooks struct {
	before func(i int, spec *Spec) error
	after  func(i int, m sim.Model, rep Report) error
}

// pending is a model bound for timing whose latency is not measured yet.
type pending struct {
	s       *models.Session
	r       *resolved
	spec    Spec
	m       sim.Model
	rep     Report
	ev      *evaluator
	example []float32
	b       *models.Binding // batch 1
	ran     string          // where ONNX Runtime ran the nodes, in words ("" unknown)
	main    *timed
	batches []batchTiming
}

// batchTiming is one --batch size of a pending model (batch 1 reuses the
// main timing).
type batchTiming struct {
	size int
	b    *models.Binding
	t    *timed
}

func (p *pending) timers() []*timed {
	ts := []*timed{p.main}
	for _, bt := range p.batches {
		if bt.b != nil {
			ts = append(ts, bt.t)
		}
	}
	return ts
}

func (p *pending) close() {
	if p.b != nil {
		p.b.Close()
		p.b = nil
	}
	for i := range p.batches {
		if p.batches[i].b != nil {
			p.batches[i].b.Close()
			p.batches[i].b = nil
		}
	}
}

// prepareSession resolves a model's input and output, binds its tensors at
// batch 1 and at each --batch size, and fills them with an example input.
func prepareSession(s *models.Session, spec Spec, o Options) (_ *pending, err error) {
	r, err := resolve(s, spec)
	if err != nil {
		return nil, err
	}
	if r.batch > 1 {
		return nil, fmt.Errorf("calibrate: %s: the model's batch size is fixed at %d, but latency is timed at batch 1: "+
			"export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={\"input\": {0: \"N\"}, \"output\": {0: \"N\"}})) or at batch 1", spec.Name, r.batch)
	}
	for _, b := range o.Batches {
		if r.batch == 1 && b != 1 {
			return nil, usagef("%s: --batch %d: the model's batch size is fixed at 1 (PyTorch's default export); export it with a dynamic batch axis to time larger batches", spec.Name, b)
		}
	}
	p := &pending{s: s, r: r}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	if p.b, err = s.Bind(r.shape); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	if err := r.inferRole(spec.Name, p.b.OutputShape()); err != nil {
		return nil, err
	}
	spec = r.spec
	p.spec = spec
	p.rep = Report{Name: spec.Name, Accuracy: math.NaN(), Coverage: math.NaN(), Input: r.in.describe(), Notes: r.notes}
	fmt.Fprintf(o.Log, "calibrate: %s (%s", spec.Name, spec.Role)
	switch spec.Role {
	case sim.RoleCollage:
		fmt.Fprintf(o.Log, " %dx%d, %s", spec.Grid, spec.Grid, spec.Cells)
	case sim.RoleParity:
		fmt.Fprintf(o.Log, " k=%d", spec.Grid)
	}
	fmt.Fprintf(o.Log, ", input %v: %s; output %v)\n", r.shape, p.rep.Input, r.outDims)
	if r.batch == 1 {
		fmt.Fprintf(o.Log, "calibrate: %s: the batch size is fixed at 1: accuracy runs one input at a time\n", spec.Name)
	}

	p.placement(o)

	p.m = sim.Model{Name: spec.Name, Role: spec.Role, Accuracy: math.NaN(), Coverage: math.NaN()}
	if spec.Role == sim.RoleCollage || spec.Role == sim.RoleParity {
		p.m.Grid = spec.Grid
	}
	for _, d := range r.shape {
		p.m.InputShape = append(p.m.InputShape, int(d))
	}
	p.ev = newEvaluator(s, r)
	if spec.Data != nil && spec.Data.Len() > 0 {
		if err := p.ev.checkSizes(&p.rep); err != nil {
			return nil, err
		}
	}

	// An example input: a real image (or collage) where there is data, so
	// the timing runs on the same kind of input the model serves.
	p.example = make([]float32, r.in.size())
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
		if err := p.ev.item(p.example, group, r.in); err != nil {
			return nil, err
		}
	} else {
		rg := rand.New(rand.NewPCG(1, 1))
		for i := range p.example {
			p.example[i] = rg.Float32()
		}
	}
	copy(p.b.Input(), p.example)
	p.main = &timed{name: spec.Name, run: p.b.Run}

	for _, batch := range o.Batches {
		if batch == 1 {
			p.batches = append(p.batches, batchTiming{size: 1, t: p.main})
			continue
		}
		bs := append([]int64(nil), r.shape...)
		bs[0] = int64(batch)
		bb, err := s.Bind(bs)
		if err != nil {
			return nil, fmt.Errorf("calibrate: %w", err)
		}
		bin := bb.Input()
		for i := range batch {
			copy(bin[i*len(p.example):], p.example)
		}
		p.batches = append(p.batches, batchTiming{size: batch, b: bb, t: &timed{name: fmt.Sprintf("%s batch %d", spec.Name, batch), run: bb.Run}})
	}
	return p, nil
}

// placement runs the model once more with ONNX Runtime's profiling on to
// see which execution provider ran each node: a model whose arithmetic falls
// back to the CPU under a GPU provider would otherwise give a GPU profile
// with the CPU's latency.
func (p *pending) placement(o Options) {
	if p.s.Path == "" {
		return
	}
	pl, err := models.NodePlacement(p.s.Path, p.r.shape, o.Session, 3)
	if err != nil {
		p.rep.Notes = append(p.rep.Notes, fmt.Sprintf("which execution provider ran each node is unknown: %v", err))
		return
	}
	p.rep.Placement = pl
	p.ran = pl.String()
	fmt.Fprintf(o.Log, "calibrate: %s: ONNX Runtime ran %s\n", p.spec.Name, p.ran)
	p.rep.Warnings = append(p.rep.Warnings, placementWarnings(pl, o.Session.Provider)...)
}

// placementWarnings say what of a model ran on the CPU although the session
// asked for provider.
func placementWarnings(pl models.Placement, provider string) []string {
	if provider == "" || provider == models.ProviderCPU {
		return nil
	}
	if pl.Nodes(models.CPUProvider) == pl.Nodes("") {
		return []string{fmt.Sprintf("no node ran on the %s provider: every one ran on the CPU, so this is a CPU profile under the name of %s", provider, provider)}
	}
	if off := pl.OffProvider(); off != "" {
		return []string{fmt.Sprintf("off the %s provider: %s ran on the CPU (the provider has no kernel for them at this data type or shape), so the latency is partly the CPU's; "+
			"export the model with operators the provider supports, or calibrate and serve it on the CPU", provider, off)}
	}
	return nil
}

// finish turns a pending model's timings into its profile entry and
// measures the rest: input copying, call overhead, encoding, decoding and
// accuracy.
func (p *pending) finish(o Options) (sim.Model, Report, error) {
	spec, r, m, rep, ev, example := p.spec, p.r, p.m, p.rep, p.ev, p.example
	side := r.in.w
	t, err := o.verdict(p.main, false)
	if err != nil {
		return sim.Model{}, Report{}, err
	}
	samples := t.samples
	rep.Others, rep.OnCPU, rep.Tries, rep.Rounds = t.others, t.onCPU, t.tries, t.medians
	rep.Warnings = append(rep.Warnings, t.warnings...)
	rep.Notes = append(rep.Notes, t.notes...)
	in := p.b.Input()
	fill, _ := timeRuns(10, o.Runs, func() error { copy(in, example); return nil })
	p.b.Close()
	p.b = nil
	m.Latency = QuantileTable(samples, o.Points)
	rep.Latency = Summarise(append([]float64(nil), samples...))
	rep.Fill = Summarise(fill)
	if ov, err := callOverhead(r.shape, o); err == nil {
		rep.Overhead = Summarise(ov)
	} else {
		fmt.Fprintf(o.Log, "calibrate: %s: measuring call overhead: %v\n", spec.Name, err)
	}
	fmt.Fprintf(o.Log, "calibrate: %s: latency p50 %s p99 %s CV %.3f over %d runs in %d rounds (medians by period %s); other processes' CPU share %.0f%%\n",
		spec.Name, ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV, rep.Latency.N, len(p.main.ends), spreadWords(t.medians), 100*rep.Others)

	// Latency at other batch sizes, timed in the same rounds.
	for i, bt := range p.batches {
		st := rep.Latency
		samples := p.main.samples
		if bt.b != nil {
			bv, err := o.verdict(bt.t, true)
			if err != nil {
				return sim.Model{}, Report{}, err
			}
			for _, w := range bv.warnings {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("batch %d: %s", bt.size, w))
			}
			samples = bv.samples
			st = Summarise(append([]float64(nil), samples...))
			bt.b.Close()
			p.batches[i].b = nil
		}
		m.BatchLatency = append(m.BatchLatency, sim.BatchLatency{Batch: bt.size, Latency: QuantileTable(samples, o.Points)})
		rep.Batches = append(rep.Batches, st)
		fmt.Fprintf(o.Log, "calibrate: %s: batch %d p50 %s p99 %s\n", spec.Name, bt.size, ms(st.P50), ms(st.P99))
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
		ev.r.spec = spec
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

	m.Source = fmt.Sprintf("%s: Session.Run at batch 1, %d runs after %d warm-up in %d rounds taking turns with the other models (medians by period %s): p50 %s, p99 %s, CV %.3f",
		p.s.Name, o.Runs, o.Warmup, len(p.main.ends), spreadWords(t.medians), ms(rep.Latency.P50), ms(rep.Latency.P99), rep.Latency.CV)
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
	if p.ran != "" {
		m.Source += "; ONNX Runtime ran " + p.ran
	}
	for _, w := range rep.Warnings {
		m.Source += "; WARNING: " + w
	}
	return m, rep, nil
}

// spreadWords says how far apart period medians are, in words.
func spreadWords(medians []float64) string {
	if len(medians) < 2 {
		return "one period"
	}
	lo, hi := minMax(medians)
	return fmt.Sprintf("%s to %s", ms(lo), ms(hi))
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
