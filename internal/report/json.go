package report

import (
	"encoding/json"
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// JSON renders the report for machines: the verdict, counts and every cell.
// Values that do not exist (NaN) are null.
func (r *Report) JSON() ([]byte, error) {
	out := jsonReport{
		Verdict: r.Verdict(), Regressions: r.Regressions(), Waived: r.Waived(), SuspectRegressions: r.SuspectRegressions(), Failed: r.Failed(), Missing: r.Missing(),
		Tests: r.Tests, Annotations: r.Annotations(), Points: []jsonPoint{}, Paired: r.jsonPaired(),
	}
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			p := jsonPoint{
				Name: row.Name, Server: g.Server, Point: row.Point,
				Verdict: string(row.Verdict), Note: row.Note,
				Hints: row.Hints, Throttled: row.Throttled, ThrottleWaived: row.ThrottleWaived,
				ClientSaturated: row.ClientSaturated, HistoryNote: row.HistoryNote,
			}
			for _, c := range row.Cells {
				jc := jsonCell{
					Metric: c.Metric, Unit: c.Unit,
					Baseline: num(c.Base), Current: num(c.Cur), Change: num(c.Change),
					Test: c.Test, P: num(c.P), PAdjusted: num(c.PAdj), Tolerance: c.Tolerance,
					Verdict: string(c.Verdict), Warnings: c.Warnings, NoHistory: c.NoHistory, Suspect: c.Suspect,
				}
				if c.CI != nil {
					jc.CILow, jc.CIHigh = num(c.CI.Lo), num(c.CI.Hi)
				}
				p.Cells = append(p.Cells, jc)
			}
			out.Points = append(out.Points, p)
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

type jsonReport struct {
	Verdict     string `json:"verdict"`
	Regressions int    `json:"regressions"`
	// Waived counts regressions measured on a throttled GPU that do not
	// fail the check (gate.on_throttle: warn).
	Waived int `json:"waived_regressions,omitempty"`
	// SuspectRegressions counts regressed latency cells measured by a
	// saturated client, which Regressions leaves out.
	SuspectRegressions int         `json:"suspect_regressions,omitempty"`
	Failed             int         `json:"failed"`
	Missing            int         `json:"missing,omitempty"`
	Tests              int         `json:"tests"`
	Annotations        []string    `json:"annotations"`
	Points             []jsonPoint `json:"points"`
	Paired             *jsonPaired `json:"paired,omitempty"`
}

type jsonPoint struct {
	Name    string       `json:"name"`
	Server  sweep.Server `json:"server"`
	Point   sweep.Point  `json:"point"`
	Verdict string       `json:"verdict"`
	Note    string       `json:"note,omitempty"`
	// Hints name the largest changes in server metrics and GPU telemetry
	// (regressed and improved points).
	Hints []string `json:"hints,omitempty"`
	// Throttled says why the point is suspect (a throttled GPU).
	Throttled      string `json:"throttled,omitempty"`
	ThrottleWaived bool   `json:"throttle_waived,omitempty"`
	// ClientSaturated says that a saturated client measured the point.
	ClientSaturated string `json:"client_saturated,omitempty"`
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
	Tolerance float64  `json:"tolerance"`
	NoHistory bool     `json:"no_history,omitempty"`
	Verdict   string   `json:"verdict"`
	Warnings  []string `json:"warnings,omitempty"`
	// Suspect marks a latency cell measured by a saturated client; its
	// regression is not counted.
	Suspect bool `json:"suspect,omitempty"`
}

// num returns a pointer to v, or nil for NaN and infinities.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
