package gate

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// explainRow compares the probe blocks of a pair (server metrics and GPU
// telemetry) and keeps on the row the hints and, when the current point
// ran on a throttled GPU while the baseline's did not, why it is suspect.
// A failed point is neither explained nor marked.
func explainRow(row *Row, p baseline.Pair) {
	if row.Verdict == stats.Failed {
		return
	}
	h := probe.Explain(observation(p.Baseline), observation(p.Current.File))
	row.Hints, row.Throttled = h.Phrases, h.SuspectReason
}

// observation is what a result file holds of its probes; nil gives none.
func observation(f *results.File) probe.Observation {
	if f == nil {
		return probe.Observation{}
	}
	return probe.Observation{Server: f.VllmBench.ServerMetrics, GPU: f.VllmBench.GPUTelemetry}
}

// settleThrottled, once verdicts are final, keeps hints only beside
// regressed and improved points, drops the suspect mark of points that are
// not gated, and waives the regressions of a suspect point whose run's
// gate says on_throttle: warn.
func (r *Report) settleThrottled() {
	for _, g := range r.Groups {
		onThrottle := r.Gates[g.Server.Run].OnThrottle
		for _, row := range g.Rows {
			if row.Verdict != stats.Regression && row.Verdict != stats.Improvement {
				row.Hints = nil
			}
			if row.Verdict == stats.Skipped {
				row.Throttled = "" // not gated anyway: other hardware
			}
			row.ThrottleWaived = row.Throttled != "" && onThrottle != OnThrottleFail && hasRegression(row)
		}
	}
}

func hasRegression(row *Row) bool {
	for _, c := range row.Cells {
		if c.Verdict == stats.Regression {
			return true
		}
	}
	return false
}

// Waived returns the number of regressed cells that do not fail the check
// because their point ran on a throttled GPU (gate.on_throttle: warn).
func (r *Report) Waived() int {
	n := 0
	for _, row := range r.Rows() {
		if !row.ThrottleWaived {
			continue
		}
		for _, c := range row.Cells {
			if c.Verdict == stats.Regression {
				n++
			}
		}
	}
	return n
}
