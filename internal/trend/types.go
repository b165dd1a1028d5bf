package trend

import "github.com/vllm-bench-action/vllm-bench-action/internal/stats"

// RunInfo identifies one accepted run of the history.
type RunInfo struct {
	// Index is the run's position in the analysed history, oldest 0.
	Index int `json:"index"`
	// Date is when the run was measured (RFC 3339).
	Date string `json:"date"`
	// SHA is the commit measured, when known.
	SHA string `json:"sha,omitempty"`
	// GPU is the GPU model, when known.
	GPU string `json:"gpu,omitempty"`
	// HarnessVersion is the vllm-bench version that measured it.
	HarnessVersion string `json:"harness_version,omitempty"`
	// Verdict is the gate's verdict on the run, when it was recorded.
	Verdict string `json:"verdict,omitempty"`
	// Promoted says whether the run became the baselines (lines written
	// before this was recorded were all promoted).
	Promoted bool `json:"promoted"`
	// AcceptedBy and AcceptReason say who accepted the run's changes on
	// purpose, and why; empty unless it was accepted.
	AcceptedBy   string `json:"accepted_by,omitempty"`
	AcceptReason string `json:"accept_reason,omitempty"`
}

// FailedGate reports whether the gate failed the run and nobody accepted
// it: a night on record that did not become the reference.
func (r RunInfo) FailedGate() bool { return !r.Promoted && r.AcceptReason == "" && r.AcceptedBy == "" }

// Accepted reports whether the run's changes were accepted on purpose.
func (r RunInfo) Accepted() bool { return r.AcceptReason != "" || r.AcceptedBy != "" }

// Value is one run's statistic in a series.
type Value struct {
	// Run is the history index of the run (see RunInfo.Index).
	Run int `json:"run"`
	// Value is the statistic.
	Value float64 `json:"value"`
	// Spread is its within-run spread (standard deviation); zero when the
	// history line has none.
	Spread float64 `json:"spread,omitempty"`
}

// Shift is one persistent change of a series: a change point.
type Shift struct {
	// At is the position in Series.Values of the first value after the
	// change.
	At int `json:"at"`
	// LastBefore is the last run before the change, FirstAfter the first
	// changed run (the first the change shows in): the commits between
	// them are the range to bisect.
	LastBefore RunInfo `json:"last_before"`
	FirstAfter RunInfo `json:"first_after"`
	// Before and After are the means of the segments on either side (up to
	// the neighbouring change points).
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	// Change is After/Before - 1.
	Change float64 `json:"change"`
	// CI is the 95 % Welch interval of Change (NaN ends when Before is
	// zero).
	CI stats.Interval `json:"-"`
	// P is the permutation p-value of the change point.
	P float64 `json:"p"`
	// Regression is true when the change is for the worse.
	Regression bool `json:"regression"`
	// New is true when the newest run revealed the change: on none of the
	// MinSegment nights before did any series of the run show a change
	// point within MinSegment runs of this one.
	New bool `json:"new"`
}

// Series is the history of one metric of one point.
type Series struct {
	// Point is the point's result file name.
	Point string `json:"point"`
	// Server is its server configuration (NAME_TP1_DP1) and Label the rest
	// of the point (CTX512 C8 P100 O128).
	Server string `json:"server"`
	Label  string `json:"label"`
	// Metric is the statistic (median_tpot_ms, output_throughput, ...).
	Metric string `json:"metric"`
	// Unit is ms, tok/s or req/s.
	Unit string `json:"unit"`
	// LowerIsBetter is true for latencies.
	LowerIsBetter bool `json:"lower_is_better"`
	// Values are the runs that measured the point, oldest first.
	Values []Value `json:"values"`
	// Shifts are the change points, oldest first.
	Shifts []Shift `json:"shifts"`
}

// Run is the trend of one run of the config.
type Run struct {
	// Name is the run's name.
	Name string `json:"name"`
	// History lists the runs analysed: the history lines measured on the
	// newest line's GPU model, oldest first.
	History []RunInfo `json:"history"`
	// OtherHardware counts the lines left out because they were measured
	// on another GPU model.
	OtherHardware int `json:"other_hardware,omitempty"`
	// Series holds one series per point and metric, by server, point and
	// metric.
	Series []Series `json:"series"`
}

// Analysis is the trend report of a baselines directory.
type Analysis struct {
	// Runs are the runs with a history, by name.
	Runs []Run `json:"runs"`
	// MinSegment is the fewest runs on each side of a change point.
	MinSegment int `json:"min_segment"`
	// Alpha is the significance level of each change point.
	Alpha float64 `json:"alpha"`
}
