package sim

import (
	"encoding/json"
	"math"
	"strconv"
)

// Float is a float64 that encodes NaN and infinities as JSON null, so a figure
// nobody measured (an accuracy "n/a", a confidence interval of one replication)
// survives a round trip.
type Float float64

// MarshalJSON writes null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// StrategyResult is one strategy at one point: the per-replication metrics,
// their mean with 95 % confidence intervals, and the latency distribution of
// all replications pooled.
type StrategyResult struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Pools    []PoolUse `json:"pools"`
	Servers  int       `json:"servers"`
	CostHour Float     `json:"cost_per_hour"`
	// Unstable: some replication was stopped because offered load exceeded
	// capacity (queues or latency grew past the stability bound).
	Unstable     bool      `json:"unstable"`
	UnstableNote string    `json:"unstable_note,omitempty"`
	Summary      Summary   `json:"summary"`
	Reps         []Metrics `json:"replications"`
	// CDF: latency quantiles of all counted requests of all replications pooled.
	CDF []Quantile `json:"cdf"`
}

// PoolUse is a pool a strategy uses, with its size and price.
type PoolUse struct {
	Name         string `json:"name"`
	Role         string `json:"role"` // what the strategy uses it for: single, collage, parity, backup
	Model        string `json:"model"`
	Servers      int    `json:"servers"`
	PricePerHour Float  `json:"price_per_hour"`
}

// Quantile is one point of a latency distribution.
type Quantile struct {
	P  float64 `json:"p"`
	Ms float64 `json:"ms"`
}

// Stat is a metric's mean over replications with its 95 % Student-t confidence
// interval (Low and High are NaN with one replication).
type Stat struct {
	Mean Float `json:"mean"`
	Low  Float `json:"low"`
	High Float `json:"high"`
}

// Summary holds each metric across replications.
type Summary struct {
	Requests          Stat            `json:"requests"`
	Answered          Stat            `json:"answered"`
	Failed            Stat            `json:"failed"`
	MeanMs            Stat            `json:"mean_ms"`
	StdMs             Stat            `json:"std_ms"`
	VarMs2            Stat            `json:"var_ms2"`
	CV                Stat            `json:"cv"`
	P50Ms             Stat            `json:"p50_ms"`
	P90Ms             Stat            `json:"p90_ms"`
	P95Ms             Stat            `json:"p95_ms"`
	P99Ms             Stat            `json:"p99_ms"`
	P999Ms            Stat            `json:"p999_ms"`
	MaxMs             Stat            `json:"max_ms"`
	Accuracy          Stat            `json:"accuracy"`
	LoadAmplification Stat            `json:"load_amplification"`
	WastedWork        Stat            `json:"wasted_work"`
	ServerHours       Stat            `json:"server_hours"`
	Cost              Stat            `json:"cost"`
	Sources           map[string]Stat `json:"sources"`     // share of answered requests by source
	Utilisation       map[string]Stat `json:"utilisation"` // per pool
	MeanQueue         map[string]Stat `json:"mean_queue"`  // time-averaged tasks waiting, per pool
	MaxQueue          map[string]Stat `json:"max_queue"`   // longest queue seen on one server (or the central queue), per pool
}

// Metrics are one replication's figures for one strategy.
type Metrics struct {
	Seed     uint64 `json:"seed"`
	Requests int64  `json:"requests"` // counted (after warm-up) requests issued
	Answered int64  `json:"answered"`
	Failed   int64  `json:"failed"` // never answered
	Correct  int64  `json:"correct"`
	// Accuracy = correct / answered; NaN when some answering source has no
	// measured accuracy.
	Accuracy          Float            `json:"accuracy"`
	MeanMs            Float            `json:"mean_ms"`
	StdMs             Float            `json:"std_ms"`
	VarMs2            Float            `json:"var_ms2"`
	CV                Float            `json:"cv"`
	P50Ms             Float            `json:"p50_ms"`
	P90Ms             Float            `json:"p90_ms"`
	P95Ms             Float            `json:"p95_ms"`
	P99Ms             Float            `json:"p99_ms"`
	P999Ms            Float            `json:"p999_ms"`
	MaxMs             Float            `json:"max_ms"`
	Sources           map[string]int64 `json:"sources"` // answered requests by source
	Tasks             int64            `json:"tasks"`   // tasks started
	LoadAmplification Float            `json:"load_amplification"`
	BusyS             Float            `json:"busy_s"`      // server busy time, all pools
	WastedWork        Float            `json:"wasted_work"` // share of busy time whose answer was not used
	SimulatedS        Float            `json:"simulated_s"` // virtual time from first arrival to last answer
	ServerHours       Float            `json:"server_hours"`
	Cost              Float            `json:"cost"`
	Utilisation       map[string]Float `json:"utilisation"`
	MeanQueue         map[string]Float `json:"mean_queue"`
	MaxQueue          map[string]int64 `json:"max_queue"`
	Unstable          bool             `json:"unstable"`
	UnstableNote      string           `json:"unstable_note,omitempty"`
}
