// Package testbed runs a scenario on a real serving cluster on the loopback
// interface (one worker process per server, speaking the Open Inference
// Protocol over HTTP and running the pool's ONNX model), drives it with the
// scenario's open-loop workload, and measures what the simulator predicts.
package testbed
