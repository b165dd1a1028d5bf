package report

import (
	"encoding/json"
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// JSON renders the report for machines: the verdict, counts and every cell.
// Values that do not exist (NaN) are null.
func (r *Report) JSON() ([]byte, error) {
	out := jsonReport{
		Verdict: r.Verdict(), Headline: r.headlines(r.labeler()), Regressions: r.Regressions(), Waived: r.Waived(), SuspectRegressions: r.SuspectRegressions(), Failed: r.Failed(), Missing: r.Missing(),
		PartialSettings: r.PartialSettings, Tests: r.Tests, Annotations: r.Annotations(), Points: []jsonPoint{}, Paired: r.jsonPaired(),
	}
	for _, m := range r.NotMeasured {
		out.NotMeasured = append(out.NotMeasured, m.Name)
	}
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			p := jsonPoint{
				Name: row.Name, Server: g.Server, Point: row.Point, Start: gate.IsStartPoint(row.Point),
				Verdict: string(row.Verdict), Note: row.Note, Rounds: row.Rounds, Unmeasured: row.Unmeasured,
				Hints: row.Hints, Throttled: row.Throttled, ThrottleWaived: row.ThrottleWaived,
				Suspect: row.Suspect, HistoryNote: row.HistoryNote,
			}
			for _, c := range row.Cells {
				jc := jsonCell{
					Metric: c.Metric, Unit: c.Unit,
					Baseline: num(c.Base), Current: num(c.Cur), Change: num(c.Change),
					Test: c.Test, P: num(c.P), PAdjusted: num(c.PAdj), Tolerance: c.Tolerance, Bound: c.Bound,
					Detectable: detectable(c.Detectable), Noise: c.Noise,
					Verdict: string(c.Verdict), Reason: c.Reason, Warnings: c.Warnings, NoHistory: c.NoHistory, Suspect: c.Suspect, SuspectReason: c.SuspectReason,
				}
				if c.CI != nil {
					jc.CILow, jc.CIHigh = num(c.CI.Lo), num(c.CI.Hi)
				}
				if c.Decision != nil {
					jc.DecisionLow, jc.DecisionHigh = num(c.Decision.Lo), num(c.Decision.Hi)
				}
				p.Cells = append(p.Cells, jc)
			}
			out.Points = append(out.Points, p)
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

type jsonReport struct {
	Verdict string `json:"verdict"`
	// Headline is the answer: what failed, what was ruled out, what could
	// not be seen; one line, "... no verdict", without a verdict.
	Headline    []string `json:"headline"`
	Regressions int      `json:"regressions"`
	// Waived counts regressions measured on a throttled GPU that do not
	// fail the check (gate.on_throttle: warn).
	Waived int `json:"waived_regressions,omitempty"`
	// SuspectRegressions counts regressed cells that are suspect, which
	// Regressions leaves out.
	SuspectRegressions int `json:"suspect_regressions,omitempty"`
	Failed             int `json:"failed"`
	// PartialSettings counts the points whose measurement settings were
	// compared only in part (a file predates recorded settings).
	PartialSettings int `json:"partial_settings,omitempty"`
	// NotMeasured names the baseline points this config does not plan.
	NotMeasured []string    `json:"not_measured,omitempty"`
	Missing     int         `json:"missing,omitempty"`
	Tests       int         `json:"tests"`
	Annotations []string    `json:"annotations"`
	Points      []jsonPoint `json:"points"`
	Paired      *jsonPaired `json:"paired,omitempty"`
}

type jsonPoint struct {
	Name   string       `json:"name"`
	Server sweep.Server `json:"server"`
	Point  sweep.Point  `json:"point"`
	// Start marks the row of a server configuration's start
	// (startup_seconds): its point is all zeros.
	Start   bool   `json:"server_start,omitempty"`
	Verdict string `json:"verdict"`
	Note    string `json:"note,omitempty"`
	// Rounds is the number of rounds of a paired A/B comparison that
	// measured the point.
	Rounds int `json:"rounds,omitempty"`
	// Unmeasured marks a failed point whose server failed: exit 3.
	Unmeasured bool `json:"unmeasured,omitempty"`
	// Hints name the largest changes in server metrics and GPU telemetry
	// (regressed and improved points).
	Hints []string `json:"hints,omitempty"`
	// Throttled says why the point is suspect (a throttled GPU).
	Throttled      string `json:"throttled,omitempty"`
	ThrottleWaived bool   `json:"throttle_waived,omitempty"`
	// Suspect says why some of the point's cells cannot be trusted.
	Suspect string `json:"suspect,omitempty"`
	// HistoryNote says why the run's history did not set the tolerance.
	HistoryNote string     `json:"history_note,omitempty"`
	Cells       []jsonCell `json:"cells,omitempty"`
}

type jsonCell struct {
	Metric    string   `json:"metric"`
	Unit      string   `json:"unit"`
	Baseline  *float64 `json:"baseline"`
	Current   *float64 `json:"current"`
	Change    *float64 `json:"change"`
	CILow     *float64 `json:"ci_low,omitempty"`
	CIHigh    *float64 `json:"ci_high,omitempty"`
	Test      string   `json:"test,omitempty"`
	P         *float64 `json:"p"`
	PAdjusted *float64 `json:"p_adjusted"`
	// Tolerance is the smallest change counted as a regression or an
	// improvement, after any widening for noise; Bound the equivalence
	// bound of unchanged (the configured tolerance).
	Tolerance float64 `json:"tolerance"`
	Bound     float64 `json:"bound"`
	// DecisionLow and DecisionHigh are the interval of the change with the
	// run-to-run noise the gate assumes (from Noise: history, repeats or
	// prior); unchanged means it lies within ±Bound.
	DecisionLow  *float64 `json:"decision_low,omitempty"`
	DecisionHigh *float64 `json:"decision_high,omitempty"`
	Noise        string   `json:"noise,omitempty"`
	// Detectable is the smallest change in the bad direction the cell
	// would flag at the report's false-discovery rate with 80 % power; a
	// string "none" when it could not flag any, null when not judged.
	Detectable any    `json:"detectable"`
	NoHistory  bool   `json:"no_history,omitempty"`
	Verdict    string `json:"verdict"`
	// Reason says why the cell got its verdict, where the test gives one
	// (paired A/B: which interval decided and where it lies).
	Reason   string   `json:"reason,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Suspect marks a cell whose measurement cannot be trusted
	// (SuspectReason says why); its verdict is not counted.
	Suspect       bool   `json:"suspect,omitempty"`
	SuspectReason string `json:"suspect_reason,omitempty"`
}

// detectable is a cell's detectable change for JSON: the fraction, "none"
// when nothing could be detected, null when the cell was not judged.
func detectable(d float64) any {
	switch {
	case math.IsNaN(d):
		return nil
	case math.IsInf(d, 1):
		return "none"
	}
	return d
}

// num returns a pointer to v, or nil for NaN and infinities.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
