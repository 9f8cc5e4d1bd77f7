package sim

// Source is where a request's answer came from. Results name it by its
// String (the names in Sources); the engine counts answers per Source.
type Source uint8

// Answer sources. A new source needs a line here and one in sourceNames.
const (
	BySingle  Source = iota // the request's own S-CNN task
	ByCollage               // a Collage-CNN cell
	ByParity                // reconstructed from a parity model
	ByReplica               // a replicated or hedged copy
	ByResend                // a re-sent S-CNN task (collage deadline decoder)
	numSources
)

// Answer source names, as results write them.
const (
	SourceSingle  = "scnn"
	SourceCollage = "collage"
	SourceParity  = "parity"
	SourceReplica = "replica"
	SourceResend  = "resend"
)

// sourceNames is indexed by Source: the array's length makes the compiler
// check that every source has a name.
var sourceNames = [numSources]string{
	BySingle:  SourceSingle,
	ByCollage: SourceCollage,
	ByParity:  SourceParity,
	ByReplica: SourceReplica,
	ByResend:  SourceResend,
}

// String returns the source's name in results.
func (s Source) String() string { return sourceNames[s] }

// Sources lists every answer source name in Source order.
var Sources = sourceNames[:]

// accuracyRole says which pool's model accuracy an answer from each source
// has: a replica answers with the backup pool's model when the strategy has
// one, else with the single pool's, like every S-CNN answer.
func accuracyRole(s Source, pools map[string]string) string {
	switch s {
	case ByCollage:
		return PoolCollage
	case ByParity:
		return PoolParity
	case ByReplica:
		if _, ok := pools[PoolBackup]; ok {
			return PoolBackup
		}
	}
	return PoolSingle
}
