package sim

// Keys of keyed draws (see rand.go). A request's copy c has key reqKey(id, c)
// in every strategy, so copy 0 of request 42 has the same service time under
// none, replicate, hedge, collage and parity. Group tasks (collages, parity
// inputs) have keys of their own, with the top bit set.
func reqKey(id int64, copy int) uint64 { return uint64(id)<<3 | uint64(copy) }

func groupKey(gid int64, salt int) uint64 { return 1<<63 | uint64(gid)<<3 | uint64(salt) }

// Key salts for group tasks.
const (
	saltCollage = 1
	saltParity  = 2
)
