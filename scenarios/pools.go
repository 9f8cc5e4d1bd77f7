package scenarios

import (
	"fmt"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

func (d *decoder) pools(t *table, prof *sim.Profile) []sim.PoolSpec {
	arr := t.array("pools")
	if len(arr) == 0 && !t.has("pools") {
		t.errf("", "no [[pools]]: a scenario needs at least one pool of servers")
	}
	var out []sim.PoolSpec
	seen := map[string]bool{}
	for _, pt := range arr {
		p := sim.PoolSpec{
			Name:         pt.str("name", ""),
			Model:        pt.str("model", ""),
			Servers:      int(pt.intAtLeast("servers", 0, 1)),
			Slots:        int(pt.intAtLeast("slots", DefaultSlots, 1)),
			PricePerHour: pt.float("price_per_hour", 0),
			Dispatch: pt.oneOf("dispatch", DefaultDispatch, sim.DispatchRoundRobin, sim.DispatchRandom,
				sim.DispatchLeastOutstanding, sim.DispatchPowerOfTwo, sim.DispatchCentral),
		}
		if d.hasFailed(pt.keyPath("servers")) {
			// Unknown: no follow-on error about too few servers.
			p.Servers = MaxServers
		}
		switch {
		case p.Name == "":
			pt.errf("name", "a pool needs a name")
		case seen[p.Name]:
			pt.errf("name", "pool %s is defined twice", echo(p.Name))
		default:
			if err := safeName(p.Name); err != nil {
				pt.errf("name", "%v", err)
			}
		}
		seen[p.Name] = true
		if !pt.has("servers") {
			pt.missing("servers", "a pool needs its number of servers (>= 1)")
		}
		if p.PricePerHour < 0 {
			pt.errf("price_per_hour", "must be >= 0, got %g", p.PricePerHour)
		}
		if !pt.has("model") {
			pt.missing("model", "a pool needs the model its servers run (one of %s)", modelNames(prof))
		} else if p.Model != "" && prof.Model(p.Model) == nil && !d.hasFailed("profile") && !d.hasFailed("models") {
			msg := fmt.Sprintf("model %s is not in profile %s (it has %s)", echo(p.Model), echo(prof.Name), modelNames(prof))
			if s := suggest(p.Model, modelList(prof)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			pt.errf("model", "%s", msg)
		}
		pt.done(poolKeys, "")
		out = append(out, p)
	}
	return out
}

func modelList(p *sim.Profile) []string {
	var s []string
	for _, m := range p.Models {
		s = append(s, m.Name)
	}
	return s
}

func modelNames(p *sim.Profile) string {
	if len(p.Models) == 0 {
		return "no models"
	}
	return strings.Join(quoteAll(modelList(p)), ", ")
}

func poolIndex(pools []sim.PoolSpec, name string) int {
	for i := range pools {
		if pools[i].Name == name {
			return i
		}
	}
	return -1
}

func poolNames(pools []sim.PoolSpec) []string {
	var s []string
	for _, p := range pools {
		s = append(s, p.Name)
	}
	return s
}

// checkPool reports an unknown pool name at path.
func (d *decoder) checkPool(path string, pools []sim.PoolSpec, name string) bool {
	if poolIndex(pools, name) >= 0 {
		return true
	}
	msg := fmt.Sprintf("no pool %s (pools: %s)", echo(name), strings.Join(quoteAll(poolNames(pools)), ", "))
	if s := suggest(name, poolNames(pools)); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	d.errAt(path, "%s", msg)
	return false
}
