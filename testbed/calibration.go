package testbed

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"time"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// AutoScale chooses a time scale for sc from what this machine measures
// now: the largest F (1..100) at which (a) the timer overshoot and the
// loopback HTTP round trip stay under 2 % of the fastest used model's mean
// service time on the wall clock (mean / F), and (b) the busiest strategy's
// tasks, at F times the scenario's request rate and about 4 round trips and
// one S-CNN inference of CPU each, use at
// most half of the CPU time other processes leave free (cores minus the
// 1-minute load average, at least a quarter of a core). It returns F and a
// sentence saying which figures chose it.
func AutoScale(sc *sim.Scenario) (float64, string, error) {
	timer, _ := timerOvershoot(100)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, "", fmt.Errorf("testbed: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		rw.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(l)
	defer srv.Close()
	rtt, _ := healthRTT(context.Background(), &http.Client{}, "http://"+l.Addr().String(), 200)
	over := timer + rtt
	minMean := math.Inf(1)
	used := usedPools(sc)
	for _, p := range sc.Pools {
		if m := sc.Profile.Model(p.Model); used[p.Name] && m != nil {
			minMean = min(minMean, m.Latency.Mean())
		}
	}
	fTimer := 100.0
	if !math.IsInf(minMean, 1) && over > 0 {
		fTimer = math.Floor(0.02 * minMean / float64(over))
	}
	// Tasks per second of virtual time, for the busiest strategy.
	rate := sc.Arrivals.Rate
	if sc.Arrivals.Process == sim.ArrivalMMPP {
		rate = max(rate, sc.Arrivals.Rate2)
	}
	if sc.Arrivals.Process == sim.ArrivalTrace && len(sc.Arrivals.Times) > 1 {
		rate = float64(len(sc.Arrivals.Times)) / (float64(sc.Arrivals.Times[len(sc.Arrivals.Times)-1]) / 1e9)
	}
	perReq := 1.0
	for _, st := range sc.Strategies {
		switch st.Kind {
		case sim.StrategyReplicate:
			perReq = max(perReq, float64(max(2, st.Copies)))
		case sim.StrategyCollage:
			perReq = max(perReq, 1+1/float64(max(1, st.Grid*st.Grid)))
		case sim.StrategyParity:
			perReq = max(perReq, 1+1/float64(max(1, st.K, st.Grid*st.Grid)))
		case sim.StrategyHedge:
			perReq = max(perReq, 1.1)
		}
	}
	free := float64(runtime.NumCPU())
	var load1 float64
	if _, err := fmt.Sscanf(loadAvg(), "%g", &load1); err == nil {
		free = max(0.25, free-load1)
	}
	// CPU per task: four round trips (HTTP client and server, encoding)
	// and the S-CNN's inference as calibrated on this kind of machine
	// (the built-in local-cpu profile), 1 ms where that is unknown.
	infer := time.Millisecond
	if p, err := scenarios.Builtin("local-cpu"); err == nil {
		for _, m := range p.Models {
			if m.Role == sim.RoleSingle {
				infer = time.Duration(m.Latency.Mean())
			}
		}
	}
	cost := 4*rtt + infer
	fCPU := 100.0
	if rate > 0 {
		fCPU = math.Floor(0.5 * free / (rate * perReq * cost.Seconds()))
	}
	f := max(1, min(100, fTimer, fCPU))
	why := fmt.Sprintf("timer overshoot %v + loopback round trip %v allow F <= %g (2 %% of the fastest mean service time); "+
		"%.0f tasks/s of virtual time at ~%v CPU each on %.2f free cores (load %.2f) allow F <= %g",
		timer.Round(time.Microsecond), rtt.Round(time.Microsecond), fTimer, rate*perReq, cost.Round(time.Microsecond), free, load1, fCPU)
	return f, why, nil
}

// Calibrated returns what the simulator must be told so that it predicts
// this testbed: the scenario text with the measured overhead outside the
// workers (each task's load-balancer delay plus RPC overhead, in virtual
// time) as its network_shared (the part shared by the tasks due at one
// instant, paid once on the way out) and network (half of each quantile of
// the task's own part, paid out and back); where no instant had two tasks,
// network alone, half of each quantile of the whole overhead. Then the workers' mean hold past the drawn
// service time as a straggler model that adds it to every task, pointing at
// profile file profileName; and that profile, with each collage and parity
// model's encoding time set to the measured one.
func Calibrated(sc *sim.Scenario, text string, ov Overheads, scale float64, profileName string) (scenarioText, profileText []byte, err error) {
	p := *sc.Profile
	p.Models = append([]sim.Model(nil), sc.Profile.Models...)
	p.Name = sc.Profile.Name + "-testbed"
	p.Source = fmt.Sprintf("%s; encoding times measured on the testbed at time scale %g", sc.Profile.Source, scale)
	for i := range p.Models {
		if enc, ok := ov.EncodeMean[p.Models[i].Name]; ok && enc > 0 {
			v := float64(enc) * scale
			p.Models[i].Encode = sim.Dist{Kind: sim.DistConst, A: v, Text: fmt.Sprintf("const:%.4fms", v/1e6)}
		}
	}
	var pb bytes.Buffer
	if err := scenarios.WriteProfile(&pb, &p); err != nil {
		return nil, nil, fmt.Errorf("testbed: %w", err)
	}
	// One way: half of each quantile of the tasks' own overhead outside the
	// worker (the simulator pays the network delay out and back). Each
	// sample is one task's load-balancer delay plus its RPC overhead, so
	// that the table keeps how the two go together; adding the quantiles of
	// two separate tables would pair the largest of one with the largest of
	// the other and make the tail longer than any task saw.
	// Where tasks were due together, the instant's shared part is paid
	// once on the way out and each task's own part out and back.
	own := ov.TaskQuantiles
	if len(ov.SharedQuantiles) > 0 && len(ov.OwnQuantiles) > 0 {
		own = ov.OwnQuantiles
	}
	oneWay := make([]time.Duration, len(own))
	for i := range oneWay {
		oneWay[i] = own[i] / 2
	}
	if len(oneWay) == 0 { // overheads from before the per-task table
		oneWay = make([]time.Duration, len(ov.RPCQuantiles))
		for i := range oneWay {
			oneWay[i] = ov.RPCQuantiles[i] / 2
			if i < len(ov.LBQuantiles) {
				oneWay[i] += ov.LBQuantiles[i] / 2
			}
		}
	}
	head := fmt.Sprintf("# Calibrated by collagesim testbed at time scale %g: network is the measured one-way\n"+
		"# RPC and load-balancer delay (virtual time, quantiles), the profile carries the measured encoding times.\n", scale)
	if len(ov.SharedQuantiles) > 0 && len(ov.OwnQuantiles) > 0 {
		head = fmt.Sprintf("# Calibrated by collagesim testbed at time scale %g: the measured RPC and load-balancer\n"+
			"# delay of each task (virtual time, quantiles), split at the %d instants with two or more tasks\n"+
			"# due into network_shared (each instant's smallest, paid once on the way out by every task sent\n"+
			"# then) and network (one way: half of each task's delay past that); the profile carries the\n"+
			"# measured encoding times.\n", scale, ov.SplitInstants)
		head += "network_shared = " + quantileTOML(ov.SharedQuantiles, scale) + "\n"
	}
	if len(oneWay) > 0 {
		head += "network = " + quantileTOML(oneWay, scale) + "\n"
	}
	body := regexp.MustCompile(`(?m)^network(_shared)?\s*=.*$\n?`).ReplaceAllString(text, "")
	prof := regexp.MustCompile(`(?m)^profile\s*=.*$`)
	line := fmt.Sprintf("profile = %q", profileName)
	if prof.MatchString(body) {
		body = prof.ReplaceAllString(body, line)
	} else {
		head += line + "\n"
	}
	if len(ov.HoldExcessQuantiles) > 0 {
		body += fmt.Sprintf("\n# Calibrated by collagesim testbed: every task is held past its drawn service time by\n"+
			"# the worker's timer and compute, %.4f ms of virtual time on average.\n"+
			"[[stragglers]]\nkind = \"bernoulli\"\np = 1.0\nextra = %s\n",
			float64(ov.HoldExcessMean)*scale/1e6, quantileTOML(ov.HoldExcessQuantiles, scale))
	}
	return []byte(head + body), pb.Bytes(), nil
}

// quantileTOML writes a quantile table of wall durations as virtual ms.
func quantileTOML(q []time.Duration, scale float64) string {
	var b bytes.Buffer
	b.WriteString(`{ kind = "quantiles", unit = "ms", values = [`)
	for i, d := range q {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.4f", float64(d)*scale/1e6)
	}
	b.WriteString("] }")
	return b.String()
}

// FormatOverheads describes the measured overheads, wall and virtual.
func FormatOverheads(ov Overheads, scale float64) string {
	var b bytes.Buffer
	v := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)*scale/1e6) }
	fmt.Fprintf(&b, "testbed overheads (wall clock; virtual = wall x %g):\n", scale)
	row := func(what string, d time.Duration) {
		fmt.Fprintf(&b, "  %-44s %10s   virtual %s\n", what, d.Round(time.Microsecond), v(d))
	}
	row("timer: time.Sleep(1ms) overshoot p50", ov.TimerOvershootP50)
	row("timer: time.Sleep(1ms) overshoot p99", ov.TimerOvershootP99)
	row("HTTP round trip (health) p50", ov.HealthRTTP50)
	row("HTTP round trip (health) p99", ov.HealthRTTP99)
	row("infer RPC overhead mean (RTT - worker time)", ov.RPCMean)
	row("infer RPC overhead p99", ov.RPCP99)
	row("worker hold past the drawn time mean", ov.HoldExcessMean)
	row("worker hold past the drawn time p99", ov.HoldExcessP99)
	row("load balancer: arrival to first send mean", ov.LBMean)
	row("load balancer: arrival to first send p99", ov.LBP99)
	row("per task: due to on the wire + RPC mean", ov.TaskMean)
	row("per task: due to on the wire + RPC p99", ov.TaskP99)
	if !math.IsNaN(ov.SameInstantCorr) {
		fmt.Fprintf(&b, "  %-44s %10.2f   (%d pairs; the simulator draws them independently)\n",
			"per task overhead: correlation, same instant", ov.SameInstantCorr, ov.SameInstantPairs)
	}
	if ov.SplitInstants > 0 {
		fmt.Fprintf(&b, "  per task overhead split at the %d instants with two or more tasks due (%d tasks; %d alone at their instant, not split):\n",
			ov.SplitInstants, ov.SplitTasks, ov.SingleTasks)
		row("  split tasks' overhead mean", ov.SplitTaskMean)
		row("  split tasks' overhead p99", ov.SplitTaskP99)
		row("  shared (the instant's minimum) mean", ov.SharedMean)
		row("  shared (the instant's minimum) p99", ov.SharedP99)
		row("  own (past the instant's minimum) mean", ov.OwnMean)
		row("  own (past the instant's minimum) p99", ov.OwnP99)
		row("  shared + own/2 + own/2, independent: mean", ov.SplitModelMean)
		row("  shared + own/2 + own/2, independent: p99", ov.SplitModelP99)
		if !math.IsNaN(ov.SplitModelCorr) {
			fmt.Fprintf(&b, "  %-44s %10.2f   (measured above)\n", "  their correlation, same instant", ov.SplitModelCorr)
		}
		row("  unsplit: all tasks' X/2 + X/2, p99", ov.TaskModelP99)
	}
	row("load generator lag p50", ov.GenLagP50)
	row("load generator lag p99", ov.GenLagP99)
	for _, k := range sortedDur(ov.ComputeP50) {
		row("inference p50: "+k, ov.ComputeP50[k])
	}
	for _, k := range sortedDur(ov.EncodeMean) {
		row("encoding mean: "+k, ov.EncodeMean[k])
	}
	return b.String()
}

// FormatSplit tabulates each strategy's own overheads and their split into
// a shared and an own part (virtual ms), the tables its calibrated
// scenario is given.
func FormatSplit(names []string, ovs []Overheads, scale float64) string {
	var b bytes.Buffer
	v := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)*scale/1e6) }
	c := func(x float64) string {
		if math.IsNaN(x) {
			return "n/a"
		}
		return fmt.Sprintf("%.2f", x)
	}
	fmt.Fprintf(&b, "per strategy, per task overhead outside the workers (virtual ms) and its split at the instants with two or more tasks due:\n")
	fmt.Fprintf(&b, "  %-24s %6s %6s %6s %7s %6s %7s %6s %7s %7s %7s %7s %6s %7s\n", "strategy", "mean", "p99", "corr",
		"split", "alone", "shared", "p99", "own", "p99", "model", "p99", "corr", "unsplit")
	fmt.Fprintf(&b, "  %-24s %6s %6s %6s %7s %6s %7s %6s %7s %7s %7s %7s %6s %7s\n", "", "", "", "", "tasks", "tasks", "mean", "", "mean", "", "mean", "", "", "p99")
	for i, ov := range ovs {
		if i >= len(names) {
			break
		}
		fmt.Fprintf(&b, "  %-24s %6s %6s %6s %7d %6d %7s %6s %7s %7s %7s %7s %6s %7s\n", names[i], v(ov.TaskMean), v(ov.TaskP99), c(ov.SameInstantCorr),
			ov.SplitTasks, ov.SingleTasks, v(ov.SharedMean), v(ov.SharedP99), v(ov.OwnMean), v(ov.OwnP99),
			v(ov.SplitModelMean), v(ov.SplitModelP99), c(ov.SplitModelCorr), v(ov.TaskModelP99))
	}
	b.WriteString("  (model: shared + own/2 + own/2 drawn independently, as the calibrated simulator draws a task's way out and back;\n" +
		"   corr: measured, and implied by the model, between tasks due at one instant; unsplit: X/2 + X/2 from the whole table)\n")
	return b.String()
}

func sortedDur(m map[string]time.Duration) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
