package sim

// serviceTime draws task t's service time on srv: the model's latency, then
// each straggler model that covers the server, in the scenario's order.
func (run *Run) serviceTime(t *Task, srv *server, p *pool) int64 {
	d := p.model.Latency.Sample(run.rng.at(t.key.key(run.seed, sidService, 0)))
	for k := range srv.strag {
		d = srv.strag[k].apply(run, t, d)
	}
	return max(1, ns(d))
}
