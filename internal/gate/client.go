package gate

import (
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// markClientSaturated marks a pair whose current result or baseline was
// measured by a saturated load generator: the row says so, and its latency
// cells are suspect, because the client's own scheduling lag is in them. A
// suspect regression is reported but does not count (Regressions), since a
// busy client alone can make one; throughput cells are judged as usual. A
// failed point is not marked.
func markClientSaturated(row *Row, p baseline.Pair) {
	if row.Verdict == stats.Failed {
		return
	}
	var why []string
	if p.Current != nil && p.Current.File != nil && p.Current.File.ClientSaturated() {
		why = append(why, "this run's "+p.Current.File.VllmBench.Client.Warning())
	}
	if p.Baseline != nil && p.Baseline.ClientSaturated() {
		why = append(why, "the baseline's "+p.Baseline.VllmBench.Client.Warning())
	}
	if len(why) == 0 {
		return
	}
	row.ClientSaturated = strings.Join(why, "; ")
	for _, c := range row.Cells {
		if m, ok := LookupMetric(c.Metric); ok && m.Source == PerRequest {
			c.Suspect = true
		}
	}
}

// settleClientSuspect, once verdicts are final, makes a point whose every
// regressed cell is suspect undecided: a saturated client alone could
// have made its regressions, so the point is not a regression on its own.
// Its cells keep their verdicts and marks.
func (r *Report) settleClientSuspect() {
	for _, row := range r.Rows() {
		if row.Verdict != stats.Regression || row.ClientSaturated == "" {
			continue
		}
		counted := false
		for _, c := range row.Cells {
			counted = counted || (c.Verdict == stats.Regression && !c.Suspect)
		}
		if !counted {
			row.Verdict = stats.Undecided
		}
	}
}

// SuspectRegressions returns the number of regressed cells that do not
// count because a saturated client measured them (see markClientSaturated);
// those of a point already waived for a throttled GPU are in Waived.
func (r *Report) SuspectRegressions() int {
	n := 0
	for _, row := range r.Rows() {
		if row.ThrottleWaived {
			continue
		}
		for _, c := range row.Cells {
			if c.Verdict == stats.Regression && c.Suspect {
				n++
			}
		}
	}
	return n
}
