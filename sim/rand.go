package sim

import (
	"hash/fnv"
	"math/bits"
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
	return keyIn(streamPrefix(seed, stream), a, b)
}

// streamPrefix is the part of keyOf that depends on the seed and the stream
// only: a run computes it once per stream, and keyIn finishes the key with
// two mixes instead of four.
func streamPrefix(seed, stream uint64) uint64 {
	return mix(mix(seed^0x9e3779b97f4a7c15) ^ stream)
}

// keyIn is keyOf(seed, stream, a, b) for prefix = streamPrefix(seed, stream).
func keyIn(prefix, a, b uint64) uint64 {
	return mix(prefix ^ mix(a*0x9e3779b97f4a7c15+b))
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

// pcg is math/rand/v2's PCG held by value, seeded as keyed.at seeds it, with
// the few draws the common distributions need written out as *rand.Rand
// makes them: a keyed draw of those takes no call through an interface and
// returns the same numbers (TestPCGMatchesRand checks).
type pcg struct{ hi, lo uint64 }

// pcgAt returns the generator keyed.at(key) returns, by value.
func pcgAt(key uint64) pcg { return pcg{key, mix(key ^ 0xd1b54a32d192ed03)} }

// Uint64 is (*rand.PCG).Uint64: a 128-bit LCG step and the DXSM output.
func (p *pcg) Uint64() uint64 {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	hi, lo := bits.Mul64(p.lo, mulLo)
	hi += p.hi*mulLo + p.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	p.lo, p.hi = lo, hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}

// Float64 is (*rand.Rand).Float64.
func (p *pcg) Float64() float64 { return float64(p.Uint64()<<11>>11) / (1 << 53) }

// Uint64N is (*rand.Rand).Uint64N on 64-bit machines, n > 0 (IntN calls it).
func (p *pcg) Uint64N(n uint64) uint64 {
	if n&(n-1) == 0 {
		return p.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(p.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(p.Uint64(), n)
		}
	}
	return hi
}

// unit returns a uniform [0,1) value that is a pure function of key.
func unit(key uint64) float64 {
	return float64(mix(key)>>11) * (1.0 / (1 << 53))
}

// keyFloat is a uniform [0, 1) value from a key, itself a mixed (uniform)
// 64-bit word: its top 53 bits.
func keyFloat(key uint64) float64 { return float64(key>>11) / (1 << 53) }

// keyIndex is a uniform integer in [0, n) from a key, n > 0: Lemire's
// multiply-shift on the key, redrawn (key mixed on) in the rare case that
// would bias it.
func keyIndex(key, n uint64) uint64 {
	hi, lo := bits.Mul64(key, n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			key = mix(key + 0x9e3779b97f4a7c15)
			hi, lo = bits.Mul64(key, n)
		}
	}
	return hi
}
