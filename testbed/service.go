package testbed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/collagesim/collagesim/sim"
)

// StragglerRef is a straggler model of the scenario that covers a server,
// with its position in the scenario's list (its random streams depend on it).
type StragglerRef struct {
	Index int               `json:"index"`
	Spec  sim.StragglerSpec `json:"spec"`
}

// drawer draws the service times of one server, as the simulator does: the
// model's latency on the "service" stream keyed by the task, then each
// straggler model in order. Markov and trace models have per-server state
// that runs over virtual time; it is rebuilt for every replication seed.
type drawer struct {
	pool    string
	server  int
	servers int
	latency sim.Dist
	strag   []StragglerRef

	seed  uint64
	ready bool
	state []stragState
}

type stragState struct {
	rng    *rand.Rand
	slow   bool
	until  int64
	factor float64
	pos    int
}

var (
	sidService = sim.StreamID("service")
	sidStrag   = sim.StreamID("straggler")
)

// checkStragglers rejects the straggler models the testbed cannot run.
func checkStragglers(list []sim.StragglerSpec) error {
	for i, sp := range list {
		if sp.Kind == sim.StragglerFailure {
			return fmt.Errorf("testbed: stragglers[%d]: kind %q is not supported on the testbed (a worker process would have to die and come back); drop it, or use the simulator", i, sp.Kind)
		}
	}
	return nil
}

// stragglersOf lists the straggler models of sc that cover server s of pool.
func stragglersOf(sc *sim.Scenario, pool string, s int) []StragglerRef {
	var out []StragglerRef
	for k, sp := range sc.Stragglers {
		if len(sp.Pools) > 0 && !slices.Contains(sp.Pools, pool) {
			continue
		}
		if len(sp.Servers) > 0 && !slices.Contains(sp.Servers, s) {
			continue
		}
		out = append(out, StragglerRef{Index: k, Spec: sp})
	}
	return out
}

func (d *drawer) reset(seed uint64) {
	d.seed, d.ready = seed, true
	d.state = make([]stragState, len(d.strag))
	for i, ref := range d.strag {
		sp := &ref.Spec
		st := stragState{factor: 1}
		name := fmt.Sprintf("straggler/%d/%s/%d", ref.Index, d.pool, d.server)
		switch sp.Kind {
		case sim.StragglerSlowNodes:
			if pickSlow(seed, ref.Index, d.pool, d.servers, sp)[d.server] {
				st.factor = sp.Slowdown
			}
		case sim.StragglerMarkov:
			st.rng = sim.NewStream(seed, name)
			ms, mn := sp.SlowFor.Mean(), sp.NormalFor.Mean()
			st.slow = st.rng.Float64() < ms/(ms+mn)
			hold := &sp.NormalFor
			if st.slow {
				hold = &sp.SlowFor
			}
			st.until = int64(hold.Sample(st.rng))
		case sim.StragglerTrace:
			st.pos = sim.NewStream(seed, name).IntN(len(sp.Latency.Values))
		}
		d.state[i] = st
	}
}

// draw returns the service time in virtual ns of the task with key, starting
// at virtual time now, under replication seed.
func (d *drawer) draw(seed, key uint64, now int64) int64 {
	if !d.ready || seed != d.seed {
		d.reset(seed)
	}
	v := d.latency.Sample(keyedRand(keyOf(seed, sidService, key, 0)))
	for i := range d.strag {
		st := &d.state[i]
		sp := &d.strag[i].Spec
		sid := sidStrag + uint64(d.strag[i].Index)
		switch sp.Kind {
		case sim.StragglerSlowNodes:
			v *= st.factor
		case sim.StragglerMarkov:
			for st.until <= now {
				st.slow = !st.slow
				hold := &sp.NormalFor
				if st.slow {
					hold = &sp.SlowFor
				}
				st.until += max(1, int64(hold.Sample(st.rng)))
			}
			if st.slow {
				v *= sp.Slowdown
			}
		case sim.StragglerBernoulli:
			if unit(keyOf(seed, sid, key, 0)) < sp.P {
				if sp.Extra.Kind != sim.DistNone {
					v += sp.Extra.Sample(keyedRand(keyOf(seed, sid, key, 1)))
				} else {
					v *= sp.Slowdown
				}
			}
		case sim.StragglerEmpirical:
			v = max(v, sp.Latency.Sample(keyedRand(keyOf(seed, sid, key, 2))))
		case sim.StragglerTrace:
			vals := sp.Latency.Values
			v = max(v, vals[st.pos])
			st.pos = (st.pos + 1) % len(vals)
		}
	}
	return max(1, int64(v))
}

// pickSlow is the simulator's choice of the slow servers of a slow-nodes model.
func pickSlow(seed uint64, k int, pool string, n int, sp *sim.StragglerSpec) map[int]bool {
	cand := sp.Servers
	if len(cand) == 0 {
		cand = make([]int, n)
		for i := range cand {
			cand[i] = i
		}
	}
	count := sp.Count
	if sp.Fraction > 0 {
		count = int(math.Round(sp.Fraction * float64(len(cand))))
	}
	count = min(count, len(cand))
	perm := sim.NewStream(seed, fmt.Sprintf("straggler/%d/%s/slow", k, pool)).Perm(len(cand))
	out := make(map[int]bool, count)
	for _, i := range perm[:count] {
		out[cand[i]] = true
	}
	return out
}
