package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Random numbers come from two kinds of named stream, both derived from the
// replication seed and a name, so that adding a component shifts nothing else:
//
//   - a Stream is a sequence (arrivals, a server's straggler state over time);
//   - a keyed draw is a pure function of (seed, stream, key): the service time of
//     request 42's first copy, whether its prediction is right. Keyed draws are
//     what makes random numbers common across strategies: request 42 sees the
//     same S-CNN draw whichever strategy serves it.

// StreamID hashes a stream name.
func StreamID(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// mix is SplitMix64's finaliser: a bijective scramble of 64 bits.
func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// keyOf combines a seed, a stream and two integers into a 64-bit key.
func keyOf(seed, stream uint64, a, b uint64) uint64 {
	return mix(mix(mix(seed^0x9e3779b97f4a7c15)^stream) ^ mix(a*0x9e3779b97f4a7c15+b))
}

// NewStream returns a sequential generator for the named stream of seed.
func NewStream(seed uint64, name string) *rand.Rand {
	id := StreamID(name)
	return rand.New(rand.NewPCG(mix(seed^id), mix(id+0x632be59bd9b4e019)))
}

// keyed is a reusable generator for keyed draws: reseed, then draw.
type keyed struct {
	pcg *rand.PCG
	r   *rand.Rand
}

func newKeyed() keyed {
	p := rand.NewPCG(1, 2)
	return keyed{pcg: p, r: rand.New(p)}
}

// at reseeds the generator to the key and returns it.
func (k keyed) at(key uint64) *rand.Rand {
	k.pcg.Seed(key, mix(key^0xd1b54a32d192ed03))
	return k.r
}

// unit returns a uniform [0,1) value that is a pure function of key.
func unit(key uint64) float64 {
	return float64(mix(key)>>11) * (1.0 / (1 << 53))
}
