package sim

import "slices"

// fail takes server s down: its running and queued tasks are lost, or go back
// through dispatch when the model says requeue.
func (run *Run) fail(s int32, fi int) {
	srv := &run.servers[s]
	sp := srv.failSpec(run)
	srv.down = true
	run.pools[srv.pool].down++
	run.cal.push(run.now+max(1, ns(sp.RepairAfter.Sample(run.failRng[fi]))), event{kind: evRepair, a: s, b: int64(fi)})
	run.background++
	p := &run.pools[srv.pool]
	var victims []int32
	for _, i := range srv.running {
		p.busy += run.now - run.tasks[i].start
		victims = append(victims, i)
	}
	srv.running = srv.running[:0]
	for srv.queue.n > 0 {
		i := srv.queue.pop()
		if run.tasks[i].state == taskCancelled {
			run.freeTask(i)
			continue
		}
		run.queueDelta(p, -1)
		victims = append(victims, i)
	}
	srv.queued = 0
	for _, i := range victims {
		t := &run.tasks[i]
		if sp.Requeue {
			run.dispatch(i, []int32{s})
			continue
		}
		run.strat.Lost(run, t)
		run.freeTask(i)
	}
}

// repair brings server s back and schedules its next failure.
func (run *Run) repair(s int32, fi int) {
	srv := &run.servers[s]
	sp := srv.failSpec(run)
	srv.down = false
	run.pools[srv.pool].down--
	run.cal.push(run.now+max(1, ns(sp.FailAfter.Sample(run.failRng[fi]))), event{kind: evFail, a: s, b: int64(fi)})
	run.background++
	run.startNext(s)
}

// failSpec returns the failure model that covers the server.
func (srv *server) failSpec(run *Run) *StragglerSpec {
	for k := range run.sc.Stragglers {
		sp := &run.sc.Stragglers[k]
		if sp.Kind == StragglerFailure && covers(sp.Pools, run.pools[srv.pool].spec.Name) &&
			(len(sp.Servers) == 0 || slices.Contains(sp.Servers, int(srv.index))) {
			return sp
		}
	}
	panic("sim: failure event on a server no failure model covers")
}
