// Package bench holds benchmarks of whole simulations on the paper's cloud
// setting (cloud-six.toml: 9 S-CNN servers, service times drawn i.i.d. from
// the authors' cloud trace, Poisson groups of 9, six strategies), and, in
// bench/simpy/, a SimPy model of the same scenario for a speed comparison
// (scripts/simpy-ratio.sh). It has no code outside its tests.
package bench
