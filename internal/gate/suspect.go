package gate

import (
	"fmt"
	"math"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// MinTimingMs is the smallest per-request latency statistic the gate takes
// as a measurement: the client stamps each streamed chunk when its
// goroutine runs, and tokens read in one bunch (a busy client, or a server
// that releases them in bursts) arrive microseconds apart. A median ITL of
// 0.004 ms says how the tokens were read, not how fast they were made.
const MinTimingMs = 0.1

// markSuspect marks the cells of a pair whose measurement cannot be
// trusted, from both sides: every results.Suspicion of the current result
// and of the baseline (a LatencyOnly one taints the per-request cells, the
// others every cell), and each per-request cell whose statistic, on either
// side, lies below what that side's client can time (degenerate). The row
// keeps the reasons. A suspect cell's verdict is reported but not counted.
// A failed point, and one not gated (other hardware, other settings), is
// not marked.
func markSuspect(row *Row, p baseline.Pair) {
	switch row.Verdict {
	case stats.Failed, stats.Skipped, stats.NotComparable:
		return
	}
	var rowWhy []string
	taint := func(c *Cell, why string) {
		c.Suspect = true
		if !strings.Contains(c.SuspectReason, why) {
			c.SuspectReason = joinReason(c.SuspectReason, why)
		}
	}
	for _, side := range sides(p) {
		for _, s := range side.file.Suspicions() {
			why := side.label + " " + s.Reason
			rowWhy = append(rowWhy, why)
			for _, c := range row.Cells {
				if m, ok := LookupMetric(c.Metric); ok && (!s.LatencyOnly || m.Source == PerRequest) {
					taint(c, why)
				}
			}
		}
	}
	for _, c := range row.Cells {
		m, ok := LookupMetric(c.Metric)
		if !ok || m.Source != PerRequest {
			continue
		}
		for _, side := range sides(p) {
			v := c.Cur
			if side.baseline {
				v = c.Base
			}
			if floor := timingFloorMs(side.file); v < floor {
				taint(c, fmt.Sprintf("%s %s of %s ms is below what its client can time (%s ms): degenerate", side.label, metricTitle(c.Metric), sigfig.Trim(v, 3), sigfig.Trim(floor, 3)))
			}
		}
	}
	row.Suspect = strings.Join(rowWhy, "; ")
	if row.Suspect == "" {
		for _, c := range row.Cells {
			if c.Suspect {
				row.Suspect = joinReason(row.Suspect, c.SuspectReason)
			}
		}
	}
}

// side is one result file of a pair, labelled for a reason.
type side struct {
	file     *results.File
	label    string
	baseline bool
}

// sides returns the pair's files that exist: this run's, then the
// baseline's.
func sides(p baseline.Pair) []side {
	var out []side
	if p.Current != nil && p.Current.File != nil {
		out = append(out, side{file: p.Current.File, label: "this run's"})
	}
	if p.Baseline != nil {
		out = append(out, side{file: p.Baseline, label: "the baseline's", baseline: true})
	}
	return out
}

// timingFloorMs is the smallest latency statistic f's client could time:
// MinTimingMs, or its median scheduling lag when that is larger.
func timingFloorMs(f *results.File) float64 {
	floor := MinTimingMs
	if h := f.VllmBench.Client; h != nil && h.LagSamples > 0 {
		floor = math.Max(floor, h.SchedLagP50Ms)
	}
	return floor
}

// joinReason appends a reason with "; ".
func joinReason(have, add string) string {
	if have == "" {
		return add
	}
	return have + "; " + add
}

// metricTitle names a metric in a reason: "median ITL".
func metricTitle(name string) string {
	name = strings.TrimSuffix(name, "_ms")
	parts := strings.SplitN(name, "_", 2)
	if len(parts) == 2 {
		return parts[0] + " " + strings.ToUpper(parts[1])
	}
	return name
}

// settleSuspect, once verdicts are final, makes a point whose every
// regressed cell is suspect undecided: the untrusted measurement alone
// could have made its regressions. Its cells keep their verdicts and marks.
func (r *Report) settleSuspect() {
	for _, row := range r.Rows() {
		if row.Verdict != stats.Regression || row.Suspect == "" {
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
// count because they are suspect (see markSuspect); those of a point
// already waived for a throttled GPU are in Waived.
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
