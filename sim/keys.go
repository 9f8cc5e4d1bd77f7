package sim

import "math/rand/v2"

// drawKey names the keyed draws (see rand.go) of one task or group: its n-th
// draw from a stream is keyOf(seed, stream, a, b+n), n < drawsPerKey.
//
// A request's copy c has key reqKey(id, c) in every strategy, so copy 0 of
// request 42 has the same service time under none, replicate, hedge,
// collage and parity. The layout keeps every field whole, for any copy
// number: a holds the request id and the copy number modulo 8, b the copy
// number's higher part; groups (collages, parity inputs) set the top bit of
// a and hold their id and a salt. Keys are distinct for request and group
// ids below 2^60 (Check bounds the request count far below) and any copy
// number, so no two draws share their random numbers.
type drawKey = TaskKey

// TaskKey names the keyed random draws of one task (see drawKey); the
// testbed passes it to its workers so that they draw what the simulator draws.
type TaskKey struct{ A, B uint64 }

// drawsPerKey is the number of draws one key may take from one stream: a
// bernoulli straggler takes 0 and 1, an empirical one 2.
const drawsPerKey = 4

func reqKey(id int64, copy int) drawKey {
	return drawKey{A: uint64(id)<<3 | uint64(copy)&7, B: uint64(copy) >> 3 * drawsPerKey}
}

func groupKey(gid int64, salt int) drawKey {
	return drawKey{A: 1<<63 | uint64(gid)<<3 | uint64(salt)}
}

// key returns the key of draw n (< drawsPerKey) of stream.
func (k drawKey) key(seed, stream uint64, n uint64) uint64 {
	return keyOf(seed, stream, k.A, k.B+n)
}

// keyIn returns the key of draw n of the stream whose prefix is
// streamPrefix(seed, stream): k.key(seed, stream, n), two mixes cheaper.
func (k drawKey) keyIn(prefix uint64, n uint64) uint64 {
	return keyIn(prefix, k.A, k.B+n)
}

// Key salts for group tasks.
const (
	saltCollage = 1
	saltParity  = 2
)

// RequestKey is the key of copy c of request id, in every strategy.
func RequestKey(id int64, copy int) TaskKey { return reqKey(id, copy) }

// CollageKey and ParityKey are the keys of group gid's collage and parity
// tasks.
func CollageKey(gid int64) TaskKey { return groupKey(gid, saltCollage) }
func ParityKey(gid int64) TaskKey  { return groupKey(gid, saltParity) }

// Uniform returns the uniform [0, 1) draw n (< 4) of the named stream for key
// under seed, as the simulator's keyed draws are made.
func (k TaskKey) Uniform(seed uint64, stream string, n uint64) float64 {
	return unit(k.key(seed, StreamID(stream), n))
}

// Rand returns a generator seeded to draw n of the named stream for key.
func (k TaskKey) Rand(seed uint64, stream string, n uint64) *rand.Rand {
	return newKeyed().at(k.key(seed, StreamID(stream), n))
}
