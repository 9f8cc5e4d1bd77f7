package testbed

import (
	"math/rand/v2"
)

// The simulator's keyed draws, reproduced so that a worker draws the same
// service time for a task as the simulator does for the same task (common
// random numbers across simulator and testbed): a draw is a pure function of
// (replication seed, stream, key). TestServiceMatchesSimulator checks these
// against the simulator's own answers.

func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

func keyOf(seed, stream uint64, a, b uint64) uint64 {
	return mix(mix(mix(seed^0x9e3779b97f4a7c15)^stream) ^ mix(a*0x9e3779b97f4a7c15+b))
}

// keyedRand returns a generator seeded to key.
func keyedRand(key uint64) *rand.Rand {
	return rand.New(rand.NewPCG(key, mix(key^0xd1b54a32d192ed03)))
}

func unit(key uint64) float64 { return float64(mix(key)>>11) * (1.0 / (1 << 53)) }

// reqKey is the key of copy c of request id; groupKey of a group task.
func reqKey(id int64, copy int) uint64 { return uint64(id)<<3 | uint64(copy) }

func groupKey(gid int64, salt int) uint64 { return 1<<63 | uint64(gid)<<3 | uint64(salt) }

const (
	saltCollage = 1
	saltParity  = 2
)
