package scenarios

import (
	"fmt"
	"math"

	"github.com/collagesim/collagesim/sim"
)

func (d *decoder) stragglers(t *table, pools []sim.PoolSpec) []sim.StragglerSpec {
	var out []sim.StragglerSpec
	for _, st := range t.array("stragglers") {
		s := sim.StragglerSpec{
			Kind: st.oneOf("kind", "", sim.StragglerBernoulli, sim.StragglerSlowNodes, sim.StragglerMarkov,
				sim.StragglerFailure, sim.StragglerEmpirical, sim.StragglerTrace),
			Pools:   st.strings("pools"),
			Servers: st.ints("servers"),
		}
		if !st.has("kind") {
			st.missing("kind", "a straggler model needs a kind: bernoulli, slow-nodes, markov, failure, empirical or trace")
		}
		largest, smallest, smallestName := 0, 0, ""
		covered := func(p sim.PoolSpec) {
			largest = max(largest, p.Servers)
			if smallestName == "" || p.Servers < smallest {
				smallest, smallestName = p.Servers, p.Name
			}
		}
		if st.has("pools") && len(s.Pools) == 0 && !d.hasFailed(st.keyPath("pools")) {
			st.errf("pools", "an empty list covers no pool; leave `pools` out to cover every pool")
		}
		seenPool := map[string]bool{}
		for i, name := range s.Pools {
			if seenPool[name] {
				d.errAt(indexPath(st.keyPath("pools"), i), "pool %s is listed twice", echo(name))
			}
			seenPool[name] = true
			if d.checkPool(indexPath(st.keyPath("pools"), i), pools, name) {
				covered(pools[poolIndex(pools, name)])
			}
		}
		if len(s.Pools) == 0 {
			for _, p := range pools {
				covered(p)
			}
		}
		seenServer := map[int]bool{}
		for i, v := range s.Servers {
			switch {
			case v < 0 || (largest > 0 && v >= largest):
				d.errAt(indexPath(st.keyPath("servers"), i), "server index %d is out of range: servers are numbered 0 to %d in the pools covered", v, largest-1)
			case seenServer[v]:
				d.errAt(indexPath(st.keyPath("servers"), i), "server %d is listed twice", v)
			}
			seenServer[v] = true
		}
		slowdown := func(required bool) {
			if required && !st.has("slowdown") {
				st.errf("slowdown", "kind %q needs `slowdown`, the factor by which service slows (e.g. 4.0)", s.Kind)
			}
			s.Slowdown = st.float("slowdown", 0)
			if st.has("slowdown") && !(s.Slowdown > 0) {
				st.errf("slowdown", "must be > 0, got %g", s.Slowdown)
			}
		}
		need := func(key, what string) {
			if !st.has(key) {
				st.missing(key, "kind %q needs `%s`, %s", s.Kind, key, what)
			}
		}
		switch s.Kind {
		case sim.StragglerBernoulli:
			need("p", "the probability that a task is slowed")
			s.P = st.float("p", 0)
			if !(s.P >= 0 && s.P <= 1) {
				st.errf("p", "must be a probability in [0, 1], got %g", s.P)
			}
			if st.has("extra") == st.has("slowdown") {
				st.errf("", "kind \"bernoulli\" needs exactly one of `extra` (a delay distribution) and `slowdown` (a factor)")
			}
			s.Extra = st.dist("extra")
			slowdown(false)
		case sim.StragglerSlowNodes:
			if st.has("count") == st.has("fraction") {
				st.errf("", "kind \"slow-nodes\" needs exactly one of `count` (servers per pool) and `fraction` (of each pool's servers)")
			}
			s.Count = int(st.intAtLeast("count", 0, 0))
			if smallestName != "" && s.Count > smallest {
				st.errf("count", "%d slow servers per pool, but pool %s has only %d", s.Count, echo(smallestName), smallest)
			}
			s.Fraction = st.float("fraction", 0)
			if !(s.Fraction >= 0 && s.Fraction <= 1) {
				st.errf("fraction", "must be in [0, 1], got %g", s.Fraction)
			}
			slowdown(true)
		case sim.StragglerMarkov:
			need("slow_for", "the distribution of a slow spell (e.g. \"exp:2s\")")
			need("normal_for", "the distribution of a normal spell (e.g. \"exp:60s\")")
			s.SlowFor, s.NormalFor = st.dist("slow_for"), st.dist("normal_for")
			positiveMean(st, "slow_for", s.SlowFor)
			positiveMean(st, "normal_for", s.NormalFor)
			slowdown(true)
		case sim.StragglerFailure:
			need("fail_after", "the distribution of time to failure (e.g. \"exp:10m\")")
			need("repair_after", "the distribution of repair time (e.g. \"exp:30s\")")
			s.FailAfter, s.RepairAfter = st.dist("fail_after"), st.dist("repair_after")
			positiveMean(st, "fail_after", s.FailAfter)
			s.Requeue = st.oneOf("on_failure", "lose", "lose", "requeue") == "requeue"
		case sim.StragglerEmpirical:
			need("latency", "the latency distribution laid over compute time (e.g. \"builtin:paper-cloud\")")
			s.Latency = st.dist("latency")
		case sim.StragglerTrace:
			if st.has("latency") == st.has("file") {
				st.errf("", "kind \"trace\" needs exactly one of `file` (latencies in ms, one per line, replayed in order) and `latency = \"samples:FILE\"`")
			}
			if st.has("file") {
				if name := st.str("file", ""); name == "" && !d.hasFailed(st.keyPath("file")) {
					st.errf("file", "must name a file of latencies, got an empty string")
				} else if name != "" {
					dd, err := d.dists.parse("samples:" + name)
					if err != nil {
						st.errf("file", "%v", err)
					}
					s.Latency = dd
				}
			} else {
				s.Latency = st.dist("latency")
				if st.has("latency") && s.Latency.Kind != sim.DistSamples && s.Latency.Kind != sim.DistNone {
					st.errf("latency", "kind \"trace\" replays values in order: use \"samples:FILE\" (or `file`), got %s", s.Latency.Kind)
				}
			}
		}
		st.done(stragglerKeys, fmt.Sprintf("by kind %q", s.Kind))
		out = append(out, s)
	}
	return out
}

// positiveMean reports a holding-time distribution whose mean is 0 or
// infinite: the state would flip without end, or never.
func positiveMean(t *table, key string, d sim.Dist) {
	if d.Kind == sim.DistNone {
		return
	}
	if m := d.Mean(); !(m > 0) || math.IsInf(m, 0) {
		t.errf(key, "%s has mean %g; a holding time needs a finite mean > 0", d, m)
	}
}
