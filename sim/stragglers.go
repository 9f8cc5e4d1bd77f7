package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// stragglerState is one straggler model's state on one server.
type stragglerState struct {
	spec   *StragglerSpec
	sid    uint64     // the model's stream for keyed draws
	rng    *rand.Rand // markov timeline
	slow   bool
	until  int64 // markov: end of the current state
	factor float64
	pos    int // trace: next sample
}

// covers reports whether a model's pool list covers the named pool (an empty
// list covers all).
func covers(list []string, name string) bool {
	return len(list) == 0 || slices.Contains(list, name)
}

// setupStragglers gives every server the state of each straggler model that
// covers it. The state is keyed by (model stream name, pool name, server
// index), so a server has the same straggler history in every strategy that
// has it, and adding a model to the list shifts no other model's numbers.
func (run *Run) setupStragglers() {
	streams := stragglerStreams(run.sc.Stragglers)
	for k := range run.sc.Stragglers {
		sp := &run.sc.Stragglers[k]
		stream := streams[k]
		for pi := range run.pools {
			p := &run.pools[pi]
			if !covers(sp.Pools, p.spec.Name) {
				continue
			}
			var slow map[int]bool
			if sp.Kind == StragglerSlowNodes {
				slow = pickSlow(run.seed, stream, p.spec.Name, int(p.n), sp)
			}
			for s := int32(0); s < p.n; s++ {
				if len(sp.Servers) > 0 && !slices.Contains(sp.Servers, int(s)) {
					continue
				}
				srv := &run.servers[p.first+s]
				if sp.Kind == StragglerFailure {
					r := NewStream(run.seed, fmt.Sprintf("%s/%s/%d", stream, p.spec.Name, s))
					run.failRng = append(run.failRng, r)
					run.cal.push(ns(sp.FailAfter.Sample(r)), event{kind: evFail, a: p.first + s, b: int64(len(run.failRng) - 1)})
					run.background++
					continue // failures act through events, not on service time
				}
				st := newStragglerState(run.seed, sp, stream, p.spec.Name, int(s), slow)
				srv.strag = append(srv.strag, st)
			}
		}
	}
}

// newStragglerState is the state of model sp (named stream) on server s of
// the named pool at the start of a run with seed; slow is the slow-nodes
// model's choice of slow servers.
func newStragglerState(seed uint64, sp *StragglerSpec, stream, poolName string, s int, slow map[int]bool) stragglerState {
	name := fmt.Sprintf("%s/%s/%d", stream, poolName, s)
	st := stragglerState{spec: sp, sid: StreamID(stream), factor: 1}
	switch sp.Kind {
	case StragglerSlowNodes:
		if slow[s] {
			st.factor = sp.Slowdown
		}
	case StragglerMarkov:
		st.rng = NewStream(seed, name)
		// Start in the stationary distribution of the two states.
		ms, mn := sp.SlowFor.Mean(), sp.NormalFor.Mean()
		st.slow = st.rng.Float64() < ms/(ms+mn)
		hold := &sp.NormalFor
		if st.slow {
			hold = &sp.SlowFor
		}
		st.until = ns(hold.Sample(st.rng))
	case StragglerTrace:
		st.pos = NewStream(seed, name).IntN(len(sp.Latency.Values))
	}
	return st
}

// pickSlow chooses which servers of a pool a slow-nodes model slows down:
// Count (or Fraction) of the servers it covers (those listed, else all),
// at random.
func pickSlow(seed uint64, stream, poolName string, n int, sp *StragglerSpec) map[int]bool {
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
	perm := NewStream(seed, fmt.Sprintf("%s/%s/slow", stream, poolName)).Perm(len(cand))
	out := make(map[int]bool, count)
	for _, i := range perm[:count] {
		out[cand[i]] = true
	}
	return out
}

// apply changes service time d (ns) of task t by this model, at the run's
// current time: factors multiply, extra delays add, empirical and trace
// latencies act as a floor.
func (st *stragglerState) apply(seed uint64, now int64, key drawKey, rng keyed, d float64) float64 {
	sp := st.spec
	switch sp.Kind {
	case StragglerSlowNodes:
		d *= st.factor
	case StragglerMarkov:
		for st.until <= now {
			st.slow = !st.slow
			hold := &sp.NormalFor
			if st.slow {
				hold = &sp.SlowFor
			}
			st.until = later(st.until, max(1, ns(hold.Sample(st.rng))))
		}
		if st.slow {
			d *= sp.Slowdown
		}
	case StragglerBernoulli:
		sid := st.sid
		if unit(key.key(seed, sid, 0)) < sp.P {
			if sp.Extra.Kind != DistNone {
				d += sp.Extra.sampleKeyed(key.key(seed, sid, 1), rng)
			} else {
				d *= sp.Slowdown
			}
		}
	case StragglerEmpirical:
		sid := st.sid
		d = max(d, sp.Latency.sampleKeyed(key.key(seed, sid, 2), rng))
	case StragglerTrace:
		v := sp.Latency.Values
		d = max(d, v[st.pos])
		st.pos++
		if st.pos == len(v) {
			st.pos = 0
		}
	}
	return d
}

// stragglerStreams names each model's random streams by what the model is,
// not by where it stands in the list: "straggler/KIND/NAME" with the spec's
// Name, else "straggler/KIND/HASH" with a hash of its parameters. A model
// identical to one before it gets "#2", "#3" (only identical models shift
// each other).
func stragglerStreams(specs []StragglerSpec) []string {
	out := make([]string, len(specs))
	seen := map[string]int{}
	for i := range specs {
		sp := &specs[i]
		id := sp.Name
		if id == "" {
			id = fmt.Sprintf("%016x", sp.hash())
		}
		name := "straggler/" + sp.Kind + "/" + id
		seen[name]++
		if n := seen[name]; n > 1 {
			name += fmt.Sprintf("#%d", n)
		}
		out[i] = name
	}
	return out
}

// hash is a hash of every parameter of the model: each word goes through
// SplitMix64's finaliser, cheap enough for a trace of a million latencies.
func (sp *StragglerSpec) hash() uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	u := func(v uint64) { h = mix(h ^ v) }
	f := func(v float64) { u(math.Float64bits(v)) }
	str := func(s string) { u(StreamID(s)) }
	dist := func(d *Dist) {
		str(string(d.Kind))
		f(d.A)
		f(d.B)
		u(uint64(len(d.Values)))
		for _, v := range d.Values {
			f(v)
		}
	}
	str(sp.Kind)
	u(uint64(len(sp.Pools)))
	for _, p := range sp.Pools {
		str(p)
	}
	u(uint64(len(sp.Servers)))
	for _, s := range sp.Servers {
		u(uint64(s))
	}
	f(sp.P)
	dist(&sp.Extra)
	f(sp.Slowdown)
	u(uint64(sp.Count))
	f(sp.Fraction)
	dist(&sp.SlowFor)
	dist(&sp.NormalFor)
	dist(&sp.FailAfter)
	dist(&sp.RepairAfter)
	if sp.Requeue {
		u(1)
	} else {
		u(0)
	}
	dist(&sp.Latency)
	return h
}
