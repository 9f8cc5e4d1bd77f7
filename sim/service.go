package sim

import "slices"

// serviceTime draws task t's service time on srv: the model's latency, then
// each straggler model that covers the server, in the scenario's order.
func (run *Run) serviceTime(t *Task, srv *server, p *pool) int64 {
	return run.serviceTimeOf(t.key, srv, p)
}

// serviceTimeOf draws the service time of the task with key on srv,
// starting now.
func (run *Run) serviceTimeOf(key drawKey, srv *server, p *pool) int64 {
	if len(srv.strag) == 0 && p.svc != nil {
		// ns of the sample sampleKeyed draws, read from the compact table.
		return max(1, int64(p.svc[keyIndex(key.keyIn(run.pService, 0), uint64(len(p.svc)))]))
	}
	d := p.model.Latency.sampleKeyed(key.keyIn(run.pService, 0), run.rng)
	for k := range srv.strag {
		d = srv.strag[k].apply(run.seed, run.now, key, run.rng, d)
	}
	return max(1, ns(d))
}

// ServiceDrawer draws the service times of one server exactly as the
// simulator does: the model's latency on the keyed "service" stream, then
// each straggler model of the scenario that covers the server, in order,
// with the same streams. The testbed's workers use it, so a task takes the
// same drawn time on a real server as in the simulator. Failure models act
// through events, not on service time, and are left out.
type ServiceDrawer struct {
	latency    *Dist
	stragglers []StragglerSpec
	pool       string
	servers    int
	server     int
	seed       uint64
	pService   uint64 // streamPrefix(seed, sidService)
	ready      bool
	strag      []stragglerState
	rng        keyed
}

// NewServiceDrawer returns the drawer of server (of servers) of the named
// pool, whose model has latency, under the scenario's straggler models.
func NewServiceDrawer(latency Dist, stragglers []StragglerSpec, pool string, servers, server int) *ServiceDrawer {
	return &ServiceDrawer{latency: &latency, stragglers: stragglers, pool: pool, servers: servers, server: server, rng: newKeyed()}
}

func (d *ServiceDrawer) reset(seed uint64) {
	d.seed, d.ready, d.strag = seed, true, d.strag[:0]
	d.pService = streamPrefix(seed, sidService)
	streams := stragglerStreams(d.stragglers)
	for k := range d.stragglers {
		sp := &d.stragglers[k]
		if sp.Kind == StragglerFailure || !covers(sp.Pools, d.pool) || len(sp.Servers) > 0 && !slices.Contains(sp.Servers, d.server) {
			continue
		}
		var slow map[int]bool
		if sp.Kind == StragglerSlowNodes {
			slow = pickSlow(seed, streams[k], d.pool, d.servers, sp)
		}
		d.strag = append(d.strag, newStragglerState(seed, sp, streams[k], d.pool, d.server, slow))
	}
}

// Draw returns the service time in virtual ns of the task with key that
// starts at virtual time now, in the replication with seed. Calls for one
// seed must come in order of now (markov and trace models run forward).
func (d *ServiceDrawer) Draw(seed uint64, key TaskKey, now int64) int64 {
	if !d.ready || seed != d.seed {
		d.reset(seed)
	}
	v := d.latency.sampleKeyed(key.keyIn(d.pService, 0), d.rng)
	for k := range d.strag {
		v = d.strag[k].apply(seed, now, key, d.rng, v)
	}
	return max(1, ns(v))
}
