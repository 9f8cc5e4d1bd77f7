package testbed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// WorkerSpec is what a worker process is told on its first line of stdin.
type WorkerSpec struct {
	Pool      string              `json:"pool"`
	Server    int                 `json:"server"`               // index within the pool
	Servers   int                 `json:"servers"`              // pool size (slow-nodes picks among them)
	Slots     int                 `json:"slots"`                // tasks run at once (default 1)
	Model     string              `json:"model"`                // the profile's model name, served under that name
	File      string              `json:"file"`                 // ONNX model file
	Latency   sim.Dist            `json:"latency"`              // the profile's latency (virtual ns)
	Strag     []sim.StragglerSpec `json:"stragglers,omitempty"` // the scenario's, all of them (their streams are named by the list)
	TimeScale float64             `json:"time_scale"`
	Threads   int                 `json:"threads"`  // ONNX Runtime intra-op threads (default 1)
	GoProcs   int                 `json:"go_procs"` // GOMAXPROCS of the worker process (default 1)
	ORTLib    string              `json:"ort_lib,omitempty"`
	Listen    string              `json:"listen"` // default 127.0.0.1:0
}

// Worker is one inference server: a FIFO queue served by Slots goroutines.
type Worker struct {
	spec    WorkerSpec
	sess    *models.Session
	inName  string
	outName string

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*wtask
	byID   map[string]*wtask
	closed bool
	draw   *sim.ServiceDrawer
}

type wtask struct {
	id      string
	input   []float32
	shape   []int64
	seed    uint64
	key     sim.TaskKey
	epoch   int64
	arrived time.Time
	queued  bool
	done    chan wresult // buffered 1
}

type wresult struct {
	out       []float32
	shape     []int64
	timing    TaskTiming
	cancelled bool
	err       error
}

// NewWorker loads the spec's model. The runtime is loaded here.
func NewWorker(spec WorkerSpec) (*Worker, error) {
	if spec.TimeScale <= 0 {
		return nil, fmt.Errorf("testbed: worker %s/%d: time scale %g must be > 0", spec.Pool, spec.Server, spec.TimeScale)
	}
	if err := models.InitRuntime(spec.ORTLib); err != nil {
		return nil, fmt.Errorf("testbed: worker %s/%d: %w", spec.Pool, spec.Server, err)
	}
	threads := spec.Threads
	if threads <= 0 {
		threads = 1
	}
	sess, err := models.OpenFile(spec.File, models.SessionOptions{IntraOpThreads: threads, InterOpThreads: 1})
	if err != nil {
		return nil, fmt.Errorf("testbed: worker %s/%d: %w", spec.Pool, spec.Server, err)
	}
	w := &Worker{spec: spec, sess: sess, inName: sess.In.Name, outName: sess.Out.Name, byID: map[string]*wtask{},
		draw: sim.NewServiceDrawer(spec.Latency, spec.Strag, spec.Pool, max(1, spec.Servers), spec.Server)}
	w.cond = sync.NewCond(&w.mu)
	return w, nil
}

// Serve answers on l until ctx ends; then it stops taking tasks, and returns
// once the in-flight calls are answered.
func (w *Worker) Serve(ctx context.Context, l net.Listener) error {
	for range max(1, w.spec.Slots) {
		go w.loop()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/health/ready", func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /v2/health/live", func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /v2/models/{name}", w.metadata)
	mux.HandleFunc("GET /v2/models/{name}/ready", w.modelReady)
	mux.HandleFunc("POST /v2/models/{name}/infer", w.infer)
	mux.HandleFunc("POST /v2/models/{name}/cancel", w.cancel)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		w.stop()
		return fmt.Errorf("testbed: worker %s/%d: %w", w.spec.Pool, w.spec.Server, err)
	case <-ctx.Done():
	}
	w.stop()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	w.sess.Close()
	return nil
}

func (w *Worker) stop() {
	w.mu.Lock()
	w.closed = true
	for _, t := range w.queue {
		t.done <- wresult{cancelled: true}
	}
	w.queue = nil
	w.cond.Broadcast()
	w.mu.Unlock()
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	json.NewEncoder(rw).Encode(v)
}

func (w *Worker) checkName(rw http.ResponseWriter, r *http.Request) bool {
	if name := r.PathValue("name"); name != w.spec.Model {
		writeJSON(rw, http.StatusNotFound, errorBody{fmt.Sprintf("model %q is not served here (this server serves %q)", name, w.spec.Model)})
		return false
	}
	return true
}

func (w *Worker) modelReady(rw http.ResponseWriter, r *http.Request) {
	if w.checkName(rw, r) {
		rw.WriteHeader(http.StatusOK)
	}
}

func (w *Worker) metadata(rw http.ResponseWriter, r *http.Request) {
	if !w.checkName(rw, r) {
		return
	}
	writeJSON(rw, http.StatusOK, ModelMetadata{Name: w.spec.Model, Platform: "onnxruntime_onnx",
		Inputs:  []TensorMeta{{Name: w.inName, Datatype: "FP32", Shape: w.sess.In.Dimensions}},
		Outputs: []TensorMeta{{Name: w.outName, Datatype: "FP32", Shape: w.sess.Out.Dimensions}}})
}

func (w *Worker) infer(rw http.ResponseWriter, r *http.Request) {
	if !w.checkName(rw, r) {
		return
	}
	headerLen := -1
	if h := r.Header.Get(HeaderLength); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 {
			writeJSON(rw, http.StatusBadRequest, errorBody{fmt.Sprintf("infer request: %s %q is not a length", HeaderLength, h)})
			return
		}
		headerLen = n
	}
	body, err := readBody(r)
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, errorBody{"infer request: " + err.Error()})
		return
	}
	req, err := decodeRequest(body, headerLen)
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, errorBody{"infer request: " + err.Error()})
		return
	}
	if len(req.Inputs) != 1 || req.Inputs[0].Datatype != "FP32" {
		writeJSON(rw, http.StatusBadRequest, errorBody{fmt.Sprintf("infer request: want one FP32 input %q", w.inName)})
		return
	}
	// The task arrives once decoded: decoding is part of the RPC's cost.
	t := &wtask{id: req.ID, input: req.Inputs[0].Data, shape: req.Inputs[0].Shape, arrived: time.Now(), done: make(chan wresult, 1)}
	if p := req.Parameters; p != nil {
		var e1, e2, e3 error
		if p.Seed != "" {
			t.seed, e1 = strconv.ParseUint(p.Seed, 10, 64)
		}
		if p.Key != "" {
			t.key, e2 = parseKey(p.Key)
		}
		if p.Epoch != "" {
			t.epoch, e3 = strconv.ParseInt(p.Epoch, 10, 64)
		}
		if err := errors.Join(e1, e2, e3); err != nil {
			writeJSON(rw, http.StatusBadRequest, errorBody{"infer request parameters: " + err.Error()})
			return
		}
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		writeJSON(rw, http.StatusServiceUnavailable, errorBody{"server is shutting down"})
		return
	}
	t.queued = true
	w.queue = append(w.queue, t)
	if t.id != "" {
		w.byID[t.id] = t
	}
	w.cond.Signal()
	w.mu.Unlock()
	var res wresult
	select {
	case res = <-t.done:
	case <-r.Context().Done():
		// The caller went away: a queued task is dropped, a running one
		// finishes unseen.
		w.remove(t.id, t)
		return
	}
	switch {
	case res.cancelled:
		writeJSON(rw, http.StatusConflict, errorBody{"cancelled"})
	case res.err != nil:
		writeJSON(rw, http.StatusInternalServerError, errorBody{res.err.Error()})
	default:
		timing := res.timing
		writeJSON(rw, http.StatusOK, InferResponse{ModelName: w.spec.Model, ID: t.id, Parameters: &timing,
			Outputs: []Tensor{{Name: w.outName, Shape: res.shape, Datatype: "FP32", Data: res.out}}})
	}
}

// readBody reads a request's body, in one read where its length is known
// and the data are there (io.ReadAll grows its buffer from 512 bytes, a
// read call for each step).
func readBody(r *http.Request) ([]byte, error) {
	const maxBody = 256 << 20
	if n := r.ContentLength; n >= 0 && n <= maxBody {
		body := make([]byte, n)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

// remove takes a queued task out of the queue; it reports whether it was queued.
func (w *Worker) remove(id string, t *wtask) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t == nil {
		t = w.byID[id]
	}
	if t == nil {
		return false
	}
	delete(w.byID, t.id)
	if !t.queued {
		return false
	}
	for i, q := range w.queue {
		if q == t {
			w.queue = append(w.queue[:i], w.queue[i+1:]...)
			break
		}
	}
	t.queued = false
	t.done <- wresult{cancelled: true}
	return true
}

func (w *Worker) cancel(rw http.ResponseWriter, r *http.Request) {
	if !w.checkName(rw, r) {
		return
	}
	var c CancelRequest
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.ID == "" {
		writeJSON(rw, http.StatusBadRequest, errorBody{`cancel request: want {"id": "..."}`})
		return
	}
	state := "running-or-done"
	if w.remove(c.ID, nil) {
		state = "queued"
	}
	writeJSON(rw, http.StatusOK, map[string]string{"id": c.ID, "cancelled": state})
}

// loop serves the queue one task at a time.
func (w *Worker) loop() {
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closed {
			w.cond.Wait()
		}
		if w.closed {
			w.mu.Unlock()
			return
		}
		t := w.queue[0]
		w.queue = w.queue[1:]
		t.queued = false
		delete(w.byID, t.id)
		start := time.Now()
		now := int64(float64(start.UnixNano()-t.epoch) * w.spec.TimeScale)
		drawn := w.draw.Draw(t.seed, t.key, now)
		w.mu.Unlock()

		out, shape, err := w.sess.Run(t.input, t.shape)
		compute := time.Since(start)
		hold := max(compute, time.Duration(float64(drawn)/w.spec.TimeScale))
		if d := time.Until(start.Add(hold)); d > 0 {
			time.Sleep(d)
		}
		t.done <- wresult{out: out, shape: shape, err: err, timing: TaskTiming{
			QueueNs: start.Sub(t.arrived).Nanoseconds(), ComputeNs: compute.Nanoseconds(),
			HoldNs: time.Since(start).Nanoseconds(), DrawnNs: drawn}}
	}
}

// RunWorker is a worker process's main: it reads its WorkerSpec from the
// first line of in, listens, writes "listening ADDRESS" on out, and serves
// until in is closed (the testbed is gone) or ctx ends.
func RunWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	br := bufio.NewReader(in)
	line, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("testbed: worker: reading the spec line on stdin: %w", err)
	}
	var spec WorkerSpec
	if err := json.Unmarshal([]byte(line), &spec); err != nil {
		return fmt.Errorf("testbed: worker: spec: %w", err)
	}
	// The worker's Go code (HTTP, its queue, the hold timer) needs little
	// CPU, and inference runs in ONNX Runtime's own threads; with one P a
	// worker does not keep idle Ps spinning for work, which, times the
	// number of workers, is CPU taken from the inference of the others.
	runtime.GOMAXPROCS(max(1, spec.GoProcs))
	w, err := NewWorker(spec)
	if err != nil {
		return err
	}
	addr := spec.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !isLoopback(host) {
		return fmt.Errorf("testbed: worker: listen address %q: only loopback addresses (127.0.0.1, ::1) are allowed", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("testbed: worker: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		io.Copy(io.Discard, br) // returns when the parent closes our stdin or dies
		cancel()
	}()
	fmt.Fprintf(out, "listening %s\n", l.Addr())
	return w.Serve(ctx, l)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// formatKey and parseKey carry a task's key over the wire as "A.B".
func formatKey(k sim.TaskKey) string {
	return strconv.FormatUint(k.A, 10) + "." + strconv.FormatUint(k.B, 10)
}

func parseKey(s string) (sim.TaskKey, error) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return sim.TaskKey{}, fmt.Errorf("key %q: want A.B", s)
	}
	ka, err1 := strconv.ParseUint(a, 10, 64)
	kb, err2 := strconv.ParseUint(b, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return sim.TaskKey{}, fmt.Errorf("key %q: %w", s, err)
	}
	return sim.TaskKey{A: ka, B: kb}, nil
}
