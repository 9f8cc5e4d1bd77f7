package testbed

// The Open Inference Protocol (KServe v2) over HTTP/JSON, the part the
// testbed speaks:
//
//	GET  /v2/health/ready              200 when the server takes requests
//	GET  /v2/models/{name}             model metadata
//	POST /v2/models/{name}/infer       InferRequest -> InferResponse
//
// and one extension of collagesim's workers:
//
//	POST /v2/models/{name}/cancel      {"id": "..."}: a queued request with
//	                                   that id is removed (its infer call
//	                                   answers 409); a running one finishes
//	                                   and its answer is discarded by the caller.
//
// The load balancer passes the replication seed, the task's key and the
// run's start in the request's parameters, so a collagesim worker draws the
// task's service time as the simulator does; other servers ignore them.

// Tensor is one named tensor; FP32 data only.
type Tensor struct {
	Name     string    `json:"name"`
	Shape    []int64   `json:"shape"`
	Datatype string    `json:"datatype"`
	Data     []float32 `json:"data"`
}

// InferRequest is the body of an infer call.
type InferRequest struct {
	ID         string       `json:"id,omitempty"`
	Parameters *TaskParams  `json:"parameters,omitempty"`
	Inputs     []Tensor     `json:"inputs"`
	Outputs    []OutputSpec `json:"outputs,omitempty"`
}

// OutputSpec names a requested output.
type OutputSpec struct {
	Name string `json:"name"`
}

// TaskParams are collagesim's request parameters (decimal strings, so that
// 64-bit values survive JSON readers that use doubles).
type TaskParams struct {
	Seed  string `json:"collagesim_seed,omitempty"`
	Key   string `json:"collagesim_key,omitempty"`
	Epoch string `json:"collagesim_epoch_ns,omitempty"` // wall clock (Unix ns) of the run's virtual time 0
}

// InferResponse is the answer of an infer call.
type InferResponse struct {
	ModelName  string      `json:"model_name"`
	ID         string      `json:"id,omitempty"`
	Outputs    []Tensor    `json:"outputs"`
	Parameters *TaskTiming `json:"parameters,omitempty"`
}

// TaskTiming is what a collagesim worker reports about a task (wall ns).
type TaskTiming struct {
	QueueNs   int64 `json:"collagesim_queue_ns"`   // from arrival at the worker to start
	ComputeNs int64 `json:"collagesim_compute_ns"` // ONNX Runtime's Run
	HoldNs    int64 `json:"collagesim_hold_ns"`    // start to answer: max(compute, drawn / scale)
	DrawnNs   int64 `json:"collagesim_drawn_ns"`   // the drawn service time (virtual ns)
}

// ModelMetadata is the answer of GET /v2/models/{name}.
type ModelMetadata struct {
	Name     string       `json:"name"`
	Versions []string     `json:"versions,omitempty"`
	Platform string       `json:"platform"`
	Inputs   []TensorMeta `json:"inputs"`
	Outputs  []TensorMeta `json:"outputs"`
}

// TensorMeta describes a model input or output.
type TensorMeta struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

// CancelRequest is the body of the cancel extension.
type CancelRequest struct {
	ID string `json:"id"`
}

// errorBody is the protocol's error answer.
type errorBody struct {
	Error string `json:"error"`
}
