package sim

import (
	"fmt"
	"math"
)

// PoolRole is a role a strategy gives one of its pools, and the role its
// model must have in the profile.
type PoolRole struct {
	Name      string // the role, as a strategy's pools table names it
	ModelRole string // RoleSingle, RoleCollage or RoleParity
}

// PoolRoles lists every pool role, in the order results list a strategy's pools.
var PoolRoles = []PoolRole{
	{PoolSingle, RoleSingle},
	{PoolBackup, RoleSingle},
	{PoolCollage, RoleCollage},
	{PoolParity, RoleParity},
}

// StrategyKind describes one kind of strategy: what it needs from a scenario
// and how to build it. StrategyKinds is the one table of kinds; the scenarios
// package reads it to decode and check [[strategies]] tables.
type StrategyKind struct {
	Name string
	// Doc says in a line what the strategy does.
	Doc string
	// Required and Optional are the pool roles it needs and may have.
	Required, Optional []string
	// Keys are the keys of a [[strategies]] table it reads besides name,
	// kind and pools.
	Keys []string
	// build makes one replication's strategy; pools maps each role the spec
	// names to the index of its pool in the run.
	build func(run *Run, spec *StrategySpec, pools map[string]int32) Strategy
}

// StrategyKinds lists every strategy kind. Adding a kind is a file with its
// Strategy and one entry here (and a decoder entry in scenarios).
var StrategyKinds = []StrategyKind{
	{Name: StrategyNone, Doc: "each request to one server", Required: []string{PoolSingle}, build: newNone},
	{Name: StrategyReplicate, Doc: "copies of each request to distinct servers; the first answer wins",
		Required: []string{PoolSingle}, Keys: []string{"copies", "cancel", "cancel_running"}, build: newReplicate},
	{Name: StrategyHedge, Doc: "a second copy when no answer came after a delay",
		Required: []string{PoolSingle}, Optional: []string{PoolBackup}, Keys: []string{"hedge_after", "cancel", "cancel_running"}, build: newHedge},
	{Name: StrategyCollage, Doc: "every request to an S-CNN server and every g*g requests as one collage to a Collage-CNN",
		Required: []string{PoolSingle, PoolCollage}, Keys: []string{"grid", "max_wait", "decoder", "deadline", "resend"}, build: newCollage},
	{Name: StrategyParity, Doc: "every request to an S-CNN server and a parity task per k requests (ParM)",
		Required: []string{PoolSingle, PoolParity}, Keys: []string{"k", "max_wait"}, build: newParity},
}

// LookupStrategyKind returns the kind named name, or nil.
func LookupStrategyKind(name string) *StrategyKind {
	for i := range StrategyKinds {
		if StrategyKinds[i].Name == name {
			return &StrategyKinds[i]
		}
	}
	return nil
}

// StrategyKindNames lists the kind names in table order.
func StrategyKindNames() []string {
	out := make([]string, len(StrategyKinds))
	for i, k := range StrategyKinds {
		out[i] = k.Name
	}
	return out
}

// newStrategy builds the strategy of spec for run, and sets the accuracy of
// each answer source from the model of the pool that answers it.
func newStrategy(run *Run, spec *StrategySpec) (Strategy, error) {
	kind := LookupStrategyKind(spec.Kind)
	if kind == nil {
		return nil, fmt.Errorf("sim: strategy %q: unknown kind %q", spec.Name, spec.Kind)
	}
	pools := make(map[string]int32, len(spec.Pools))
	for _, role := range kind.Required {
		if _, ok := spec.Pools[role]; !ok {
			return nil, fmt.Errorf("sim: strategy %q: needs a %s pool", spec.Name, role)
		}
	}
	for _, role := range PoolRoles {
		name, ok := spec.Pools[role.Name]
		if !ok {
			continue
		}
		p := run.PoolIndex(name)
		if p < 0 {
			return nil, fmt.Errorf("sim: strategy %q: no pool %q", spec.Name, name)
		}
		pools[role.Name] = p
	}
	for s := range numSources {
		run.acc[s] = math.NaN()
		if p, ok := pools[accuracyRole(s, spec.Pools)]; ok {
			run.acc[s] = run.PoolModel(p).Accuracy
		}
	}
	return kind.build(run, spec, pools), nil
}
