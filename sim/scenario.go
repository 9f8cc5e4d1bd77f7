package sim

// Scenario is a fully decoded and validated simulation input. The scenarios
// package builds it from TOML; tests build it directly.
type Scenario struct {
	Name string
	Seed uint64
	// Requests is the number of counted requests; Warmup requests come first
	// and are simulated but not counted. When Duration > 0 arrivals stop at
	// Duration instead (and Requests, if also set, caps them).
	Requests     int64
	Warmup       int64
	Duration     int64 // ns
	Replications int
	Arrivals     Arrivals
	Pools        []PoolSpec
	Stragglers   []StragglerSpec
	Strategies   []StrategySpec
	// Network is the one-way delay between the load balancer and a server; it
	// is paid once on the way to the server and once on the way back.
	Network Dist
	// NetworkShared is a delay on the way to the server shared by every task
	// sent at the same instant: one draw per instant (the same in every
	// strategy), added to each such task's own Network draw. It models a
	// load balancer or host that delays a burst of tasks together.
	NetworkShared Dist
	Stability     Stability
	Profile       *Profile
	// ForceEvents makes every run take the event loop, never the direct
	// path (see direct.go): the same results, for checking that they are.
	ForceEvents bool `json:"-"`
}

// Arrival processes.
const (
	ArrivalPoisson       = "poisson"
	ArrivalDeterministic = "deterministic"
	ArrivalMMPP          = "mmpp"
	ArrivalTrace         = "trace"
)

// Arrivals describes the workload.
type Arrivals struct {
	Process string
	// Rate in requests per second (batches per second is Rate/Batch): poisson,
	// deterministic, and the first state of mmpp.
	Rate float64
	// Batch: requests arrive b at a time (the load balancer receives them together).
	Batch int
	// MMPP: second-state rate and the holding-time distributions of both states (ns).
	Rate2   float64
	Hold    Dist    // time in the first (Rate) state
	Hold2   Dist    // time in the second (Rate2) state
	Times   []int64 // trace: arrival instants in ns from the start, non-decreasing
	TraceOf string  // trace: file name, for messages
}

// Dispatch policies inside a pool.
const (
	DispatchRoundRobin       = "round-robin"
	DispatchRandom           = "random"
	DispatchLeastOutstanding = "least-outstanding"
	DispatchPowerOfTwo       = "power-of-two"
	DispatchCentral          = "central"
)

// PoolSpec is a named pool of identical servers, all serving one model.
type PoolSpec struct {
	Name         string
	Model        string // a model of the profile
	Servers      int
	Slots        int // tasks a server runs at once (default 1)
	PricePerHour float64
	Dispatch     string
}

// Straggler kinds.
const (
	StragglerBernoulli = "bernoulli"
	StragglerSlowNodes = "slow-nodes"
	StragglerMarkov    = "markov"
	StragglerFailure   = "failure"
	StragglerEmpirical = "empirical"
	StragglerTrace     = "trace"
)

// StragglerSpec changes the service time of tasks on the servers it covers.
// Models apply in the order given: factors multiply, extra delays add, and
// empirical/trace latencies act as a floor (service = max(so far, draw)).
type StragglerSpec struct {
	Kind string
	// Name, when set, names the model's random streams; without it they are
	// named by a hash of the model's kind and parameters. Either way a
	// model's random numbers do not depend on its place in the list.
	Name    string
	Pools   []string // pools it covers; empty: all
	Servers []int    // server indices within those pools; empty: all
	// bernoulli: with probability P a task gets Extra delay (ns) or Slowdown.
	P        float64
	Extra    Dist
	Slowdown float64 // factor; slow-nodes, markov, and bernoulli when Extra is zero
	// slow-nodes: Count servers per pool, or Fraction of them, are slow all run.
	Count    int
	Fraction float64
	// markov: state holding times (ns).
	SlowFor   Dist
	NormalFor Dist
	// failure: time to failure and to repair (ns); Requeue puts the queued and
	// running tasks of a failed server back through dispatch, else they are lost.
	FailAfter   Dist
	RepairAfter Dist
	Requeue     bool
	// empirical and trace: the latency distribution (ns); trace replays
	// Latency.Values in order from a random offset per server.
	Latency Dist
}

// Strategy kinds.
const (
	StrategyNone      = "none"
	StrategyReplicate = "replicate"
	StrategyHedge     = "hedge"
	StrategyCollage   = "collage"
	StrategyParity    = "parity"
)

// Collage decoders.
const (
	DecoderFirst    = "first"
	DecoderDeadline = "deadline"
)

// Pool roles a strategy names.
const (
	PoolSingle  = "single"
	PoolCollage = "collage"
	PoolParity  = "parity"
	PoolBackup  = "backup"
)

// StrategySpec is one strategy to compare.
type StrategySpec struct {
	Name string
	Kind string
	// Pools maps a role (PoolSingle, PoolCollage, PoolParity, PoolBackup) to a pool name.
	Pools map[string]string
	// replicate: Copies (>= 2) to distinct servers of the single pool; Cancel
	// removes the losers from their queues, CancelRunning also stops them.
	Copies        int
	Cancel        bool
	CancelRunning bool
	// hedge: a copy after HedgeAfter ns, or, when HedgeQuantile > 0, after that
	// quantile of the single pool's model latency; to the backup pool if named,
	// else to another server of the single pool.
	HedgeAfter    int64
	HedgeQuantile float64
	// collage: Grid g (k = g*g requests per collage) and parity: K requests per
	// group. A group closes when full or MaxWait ns after it opened.
	Grid    int
	K       int
	MaxWait int64
	Decoder string
	// deadline decoder: wait for the S-CNN until Deadline ns after arrival;
	// Resend re-sends to another S-CNN server when both answers are late.
	Deadline int64
	Resend   bool
}

// Stability bounds a run: past them the strategy is reported unstable and its
// replication stops, instead of growing queues without end.
type Stability struct {
	MaxOutstanding int64 // requests in the system at once (default 100000)
	MaxLatency     int64 // ns; a counted request slower than this (default 1 hour)
}
