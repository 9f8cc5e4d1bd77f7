// Package calibrate measures ONNX models through ONNX Runtime (latency
// distributions with their tail, S-CNN top-1, Collage-CNN per-cell accuracy and
// coverage, collage encoding time) into a sim.Profile.
package calibrate
