// Package sim is a deterministic discrete-event simulator of an image-classification
// service behind a load balancer, with the redundancy strategies it compares: none,
// replication, hedging, Collage-CNN coding and parity models.
//
// Time is virtual (int64 nanoseconds) and every random draw comes from a named
// stream of the scenario seed, so the same scenario and seed give the same results.
package sim
