package sim

import "fmt"

// execute runs the replication's event loop to its end and returns its metrics.
func (run *Run) execute() Metrics {
	run.scheduleArrival(0)
	for run.cal.Len() > 0 && !run.stopped && !run.cal.refused {
		if run.arrDone && run.outstanding == 0 {
			break
		}
		if run.cal.Len() == run.background {
			break // only failures and repairs are left: the rest never answers
		}
		e := run.cal.pop()
		if e.t < run.now {
			panic("sim: time went back")
		}
		run.now = e.t
		switch e.kind {
		case evArrival:
			run.arrive()
		case evReach:
			t := &run.tasks[e.a]
			if t.gen != uint32(e.b) {
				continue
			}
			if t.state == taskCancelled {
				run.freeTask(e.a)
				continue
			}
			avoid := run.avoidInFlight[e.a]
			delete(run.avoidInFlight, e.a)
			run.dispatch(e.a, avoid)
		case evFinish:
			t := &run.tasks[e.a]
			if t.state != taskRunning || t.service != e.b {
				continue // a service cut short by a failure or a cancellation
			}
			s := t.Server
			run.pools[t.Pool].busy += t.Busy
			run.removeRunning(&run.servers[s], e.a)
			if run.networked() {
				t.state = taskAnswering
				d := run.draw(&run.sc.Network, sidNetBack, t.key)
				run.cal.push(run.now+d, event{kind: evResponse, a: e.a, b: int64(t.gen)})
			} else {
				if run.onAnswer != nil {
					run.via = run.infoOf(t)
				}
				run.strat.Done(run, t)
				run.freeTask(e.a)
			}
			run.startNext(s)
		case evResponse:
			t := &run.tasks[e.a]
			if t.gen != uint32(e.b) {
				continue
			}
			if run.onAnswer != nil {
				run.via = run.infoOf(t)
			}
			run.strat.Done(run, t)
			run.freeTask(e.a)
		case evReqTimer:
			if run.onAnswer != nil {
				run.via = noInfo
			}
			run.strat.Timer(run, Timer{Kind: e.timer, Req: Req{Slot: e.a, ID: e.b}, Group: noGroup})
		case evGroupTimer:
			if run.onAnswer != nil {
				run.via = noInfo
			}
			run.strat.Timer(run, Timer{Kind: e.timer, Req: Req{Slot: -1}, Group: GroupRef{Index: e.a, Gen: uint32(e.b)}})
		case evFail:
			run.background--
			run.fail(e.a, int(e.b))
		case evRepair:
			run.background--
			run.repair(e.a, int(e.b))
		}
		if run.outstanding > run.sc.Stability.MaxOutstanding && run.sc.Stability.MaxOutstanding > 0 {
			run.unstable(fmt.Sprintf("%d requests in the system at %s, over the stability bound max_outstanding = %d: offered load exceeds capacity",
				run.outstanding, fmtNs(run.now), run.sc.Stability.MaxOutstanding))
		}
	}
	if run.cal.refused {
		run.refused()
	}
	run.checkDrain()
	return run.finish()
}
