package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// The kinds of strategy, the pool roles each needs and the keys each reads
// come from sim.StrategyKinds; strategyDecoders reads the keys of each kind.
var (
	poolRoles = func() []string {
		var out []string
		for _, r := range sim.PoolRoles {
			out = append(out, r.Name)
		}
		return out
	}()
	// strategyKeys are the keys of every kind together.
	strategyKeys = func() []string {
		out := []string{"name", "kind", "pools"}
		for _, k := range sim.StrategyKinds {
			for _, key := range k.Keys {
				if !slices.Contains(out, key) {
					out = append(out, key)
				}
			}
		}
		return out
	}()
)

// strategyEnv is what a kind's decoder may check a strategy against.
type strategyEnv struct {
	pools  []sim.PoolSpec
	prof   *sim.Profile
	single int // index of the strategy's single pool in pools, -1 if none
}

// poolModel returns the model of the pool the strategy names for role, or nil.
func (e strategyEnv) poolModel(s *sim.StrategySpec, role string) (string, *sim.Model) {
	name, ok := s.Pools[role]
	if !ok {
		return "", nil
	}
	pi := poolIndex(e.pools, name)
	if pi < 0 {
		return name, nil
	}
	return name, e.prof.Model(e.pools[pi].Model)
}

// strategyDecoders read the keys of each kind (one entry per entry of
// sim.StrategyKinds) into the spec. Each returns the reason done gives for a
// key of the kind's list that this strategy does not use ("" for the kind's).
var strategyDecoders = map[string]func(d *decoder, st *table, s *sim.StrategySpec, env strategyEnv) string{
	sim.StrategyNone: func(*decoder, *table, *sim.StrategySpec, strategyEnv) string { return "" },
	sim.StrategyReplicate: func(d *decoder, st *table, s *sim.StrategySpec, env strategyEnv) string {
		s.Copies = int(st.intAtLeast("copies", DefaultCopies, 2))
		if env.single >= 0 && s.Copies > env.pools[env.single].Servers {
			p := env.pools[env.single]
			st.errf("copies", "%d copies need %d distinct servers; pool %q has %d", s.Copies, s.Copies, p.Name, p.Servers)
		}
		s.Cancel = st.boolean("cancel", false)
		s.CancelRunning = st.boolean("cancel_running", false)
		return ""
	},
	sim.StrategyHedge: func(d *decoder, st *table, s *sim.StrategySpec, env strategyEnv) string {
		s.Cancel = st.boolean("cancel", false)
		s.CancelRunning = st.boolean("cancel_running", false)
		if !st.has("hedge_after") {
			st.missing("hedge_after", "kind \"hedge\" needs `hedge_after`: a duration (\"200ms\") or a quantile of the model's latency (\"p95\")")
		} else {
			s.HedgeAfter, s.HedgeQuantile = d.hedgeAfter(st)
		}
		if _, ok := s.Pools[sim.PoolBackup]; !ok && env.single >= 0 && env.pools[env.single].Servers < 2 {
			st.errf("pools", "a hedge without a backup pool sends its copy to another server of pool %q, which has only 1", env.pools[env.single].Name)
		}
		return ""
	},
	sim.StrategyCollage: func(d *decoder, st *table, s *sim.StrategySpec, env strategyEnv) string {
		if !st.has("grid") {
			st.missing("grid", "kind \"collage\" needs `grid`, the collage side g (2, 3 or 4; g*g images per collage)")
		}
		s.Grid = int(st.integer("grid", 0))
		if st.has("grid") && (s.Grid < 2 || s.Grid > 4) {
			st.errf("grid", "must be 2, 3 or 4, got %d", s.Grid)
		}
		if name, m := env.poolModel(s, sim.PoolCollage); m != nil && s.Grid >= 2 && m.Role == sim.RoleCollage && m.Grid != s.Grid {
			st.errf("grid", "grid %d does not match model %q of pool %q, which classifies %dx%d collages", s.Grid, m.Name, name, m.Grid, m.Grid)
		}
		s.MaxWait = d.maxWait(st)
		s.Decoder = st.oneOf("decoder", DefaultDecoder, sim.DecoderFirst, sim.DecoderDeadline)
		if s.Decoder == sim.DecoderDeadline {
			if !st.has("deadline") {
				st.missing("deadline", "decoder \"deadline\" needs `deadline`, how long after arrival to wait for the S-CNN answer (e.g. \"200ms\")")
			}
			s.Deadline = st.duration("deadline", 0)
			s.Resend = st.boolean("resend", false)
			return ""
		}
		why := fmt.Sprintf("by decoder %q", s.Decoder)
		if st.has("deadline") || st.has("resend") {
			why += " (only by decoder \"deadline\")"
		}
		return why
	},
	sim.StrategyParity: func(d *decoder, st *table, s *sim.StrategySpec, env strategyEnv) string {
		if !st.has("k") {
			st.missing("k", "kind \"parity\" needs `k`, the number of requests per parity group (>= 2)")
		}
		s.K = int(st.intAtLeast("k", 0, 2))
		if name, m := env.poolModel(s, sim.PoolParity); m != nil && s.K >= 2 && m.Role == sim.RoleParity && m.Grid != 0 && m.Grid != s.K {
			st.errf("k", "k = %d does not match model %q of pool %q, built for k = %d", s.K, m.Name, name, m.Grid)
		}
		s.MaxWait = d.maxWait(st)
		return ""
	},
}

func (d *decoder) strategies(t *table, pools []sim.PoolSpec, prof *sim.Profile) []sim.StrategySpec {
	arr := t.array("strategies")
	if len(arr) == 0 && !t.has("strategies") {
		t.errf("", "no [[strategies]]: a scenario needs at least one strategy to run")
	}
	kindNames := sim.StrategyKindNames()
	var out []sim.StrategySpec
	seen := map[string]bool{}
	for _, st := range arr {
		s := sim.StrategySpec{
			Name: st.str("name", ""),
			Kind: st.oneOf("kind", "", kindNames...),
		}
		switch {
		case s.Name == "":
			st.errf("name", "a strategy needs a name")
		case seen[s.Name]:
			st.errf("name", "strategy %q is defined twice", s.Name)
		}
		seen[s.Name] = true
		if !st.has("kind") {
			st.missing("kind", "a strategy needs a kind: %s", orList(kindNames))
		}
		kind := sim.LookupStrategyKind(s.Kind)
		s.Pools = d.strategyPools(st)
		env := strategyEnv{pools: pools, prof: prof, single: d.strategyPoolRoles(st, &s, kind, pools, prof)}
		why := ""
		if kind != nil {
			why = strategyDecoders[s.Kind](d, st, &s, env)
		}
		if why == "" {
			why = fmt.Sprintf("by kind %q", s.Kind)
		}
		st.done(strategyKeys, why)
		out = append(out, s)
	}
	return out
}

// strategyPoolRoles checks the roles a strategy names against those its kind
// needs and may have, and each pool's model against the role; it returns the
// index of the strategy's single pool, -1 if none.
func (d *decoder) strategyPoolRoles(st *table, s *sim.StrategySpec, kind *sim.StrategyKind, pools []sim.PoolSpec, prof *sim.Profile) int {
	pp := st.keyPath("pools")
	var required, optional []string
	if kind != nil {
		required, optional = kind.Required, kind.Optional
		for _, role := range required {
			if _, ok := s.Pools[role]; !ok && s.Pools != nil {
				d.errAt(pp, "kind %q needs a %s pool: pools = { %s }", s.Kind, role, rolesExample(required))
			}
		}
	}
	if !st.has("pools") && s.Kind != "" {
		st.missing("pools", "a strategy needs its pools: pools = { %s }", rolesExample(required))
	}
	single := -1
	for _, role := range sim.PoolRoles {
		name, ok := s.Pools[role.Name]
		if !ok {
			continue
		}
		rp := joinPath(pp, role.Name)
		if kind != nil && !slices.Contains(required, role.Name) && !slices.Contains(optional, role.Name) {
			d.errAt(rp, "kind %q has no %s pool", s.Kind, role.Name)
			continue
		}
		if !d.checkPool(rp, pools, name) {
			continue
		}
		pi := poolIndex(pools, name)
		if role.Name == sim.PoolSingle {
			single = pi
		}
		m := prof.Model(pools[pi].Model)
		if m == nil {
			continue // reported at the pool
		}
		if m.Role != role.ModelRole {
			d.errAt(rp, "pool %q runs model %q of role %q; a %s pool needs a model of role %q", name, m.Name, m.Role, role.Name, role.ModelRole)
		}
	}
	return single
}

// orList writes "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func rolesExample(roles []string) string {
	var s []string
	for _, r := range roles {
		s = append(s, fmt.Sprintf("%s = \"...\"", r))
	}
	return strings.Join(s, ", ")
}

func (d *decoder) maxWait(st *table) int64 {
	w := st.duration("max_wait", DefaultMaxWait)
	if st.has("max_wait") && w <= 0 {
		st.errf("max_wait", "must be > 0")
	}
	return w
}

// strategyPools reads pools = { role = "pool", ... } or pools = "pool" (the single pool).
func (d *decoder) strategyPools(st *table) map[string]string {
	v, ok := st.get("pools")
	if !ok {
		return nil
	}
	if s, ok := v.(string); ok {
		return map[string]string{sim.PoolSingle: s}
	}
	m, ok := v.(map[string]any)
	if !ok {
		st.errf("pools", "must be a table of role = pool name, e.g. { single = \"scnn\", collage = \"collage\" }, got %s", typeName(v))
		return nil
	}
	pt := d.table(st.keyPath("pools"), m)
	out := map[string]string{}
	for _, role := range poolRoles {
		if pt.has(role) {
			out[role] = pt.str(role, "")
		}
	}
	pt.done(poolRoles, "")
	return out
}

// hedgeAfter reads a duration or a quantile "pNN[.N]".
func (d *decoder) hedgeAfter(st *table) (int64, float64) {
	v := st.m["hedge_after"]
	if s, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(s), "p") {
		st.get("hedge_after")
		q, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(s), "p"), 64)
		if err != nil || !(q > 0 && q < 100) {
			st.errf("hedge_after", "bad quantile %q: want p followed by a percentage in (0, 100), e.g. \"p95\", \"p99.9\"", s)
			return 0, 0
		}
		return 0, q / 100
	}
	ns := st.duration("hedge_after", 0)
	return ns, 0
}
