package testbed

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

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

// Tensor is one named tensor; FP32 data only. With the binary tensor data
// extension (as Triton has it) the data follow the JSON header as raw
// little-endian bytes: the header's length is in the Inference-Header-Content-Length
// HTTP header and the tensor's parameters say binary_data_size.
type Tensor struct {
	Name       string        `json:"name"`
	Shape      []int64       `json:"shape"`
	Datatype   string        `json:"datatype"`
	Parameters *TensorParams `json:"parameters,omitempty"`
	Data       []float32     `json:"data,omitempty"`
}

// TensorParams are a tensor's parameters.
type TensorParams struct {
	BinaryDataSize int `json:"binary_data_size,omitempty"`
}

// HeaderLength is the binary tensor data extension's HTTP header.
const HeaderLength = "Inference-Header-Content-Length"

// encodeBinary writes req as a JSON header followed by each input's data as
// little-endian float32 bytes; it returns the body and the header's length.
func encodeBinary(req *InferRequest) ([]byte, int, error) {
	data := make([][]float32, len(req.Inputs))
	for i := range req.Inputs {
		in := &req.Inputs[i]
		data[i] = in.Data
		in.Parameters = &TensorParams{BinaryDataSize: 4 * len(in.Data)}
		in.Data = nil
	}
	head, err := json.Marshal(req)
	for i := range req.Inputs {
		req.Inputs[i].Data = data[i]
	}
	if err != nil {
		return nil, 0, err
	}
	n := len(head)
	for _, d := range data {
		n += 4 * len(d)
	}
	body := make([]byte, len(head), n)
	copy(body, head)
	for _, d := range data {
		for _, v := range d {
			body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
		}
	}
	return body, len(head), nil
}

// decodeRequest reads an infer request body, JSON or JSON header plus binary
// data (headerLen >= 0).
func decodeRequest(body []byte, headerLen int) (*InferRequest, error) {
	var req InferRequest
	if headerLen < 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		return &req, nil
	}
	if headerLen > len(body) {
		return nil, fmt.Errorf("%s is %d, the body has %d bytes", HeaderLength, headerLen, len(body))
	}
	if err := json.Unmarshal(body[:headerLen], &req); err != nil {
		return nil, err
	}
	rest := body[headerLen:]
	for i := range req.Inputs {
		in := &req.Inputs[i]
		if in.Parameters == nil || in.Parameters.BinaryDataSize == 0 {
			continue
		}
		size := in.Parameters.BinaryDataSize
		if size%4 != 0 || size > len(rest) {
			return nil, fmt.Errorf("input %q: binary_data_size %d does not fit the %d bytes left", in.Name, size, len(rest))
		}
		in.Data = make([]float32, size/4)
		for k := range in.Data {
			in.Data[k] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*k:]))
		}
		rest = rest[size:]
	}
	return &req, nil
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
