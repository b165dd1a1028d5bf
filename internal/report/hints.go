package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// throttledMark marks a point measured on a throttled GPU.
const throttledMark = "🌡️"

// hintsHeader heads the column of hints: what the server and the GPUs saw.
const hintsHeader = "why (server, GPU)"

// withHints reports whether any of the rows has hints or a throttle mark.
func withHints(rows []*gate.Row) bool {
	for _, row := range rows {
		if len(row.Hints) > 0 || row.Throttled != "" {
			return true
		}
	}
	return false
}

// verdictText is a row's verdict for a table: its mark and name, and the
// throttle mark when the point is suspect.
func verdictText(row *gate.Row) string {
	s := mark(row.Verdict) + " " + string(row.Verdict)
	if row.Throttled != "" {
		s += " " + throttledMark + " suspect"
	}
	return s
}

// hintText is a row's hints as one line.
func hintText(row *gate.Row) string { return strings.Join(row.Hints, ", ") }

// throttleLines say, per suspect point, why, and whether its regressions
// fail the check.
func (r *Report) throttleLines(format func(row *gate.Row) string) []string {
	var out []string
	for _, g := range r.Groups {
		onThrottle := r.Gates[g.Server.Run].OnThrottle
		for _, row := range g.Rows {
			if row.Throttled == "" || row.Verdict == stats.Failed || row.Verdict == gate.Missing {
				continue
			}
			line := fmt.Sprintf("%s measured on a throttled GPU: %s", format(row), row.Throttled)
			switch {
			case row.ThrottleWaived:
				line += "; its regression is a warning, not a failure (gate.on_throttle: warn)"
			case row.Verdict == stats.Regression && onThrottle == gate.OnThrottleFail:
				line += "; its regression fails the check (gate.on_throttle: fail)"
			}
			out = append(out, line)
		}
	}
	return out
}

// waivedLine is the summary's warning about regressions that do not fail
// the check; "" when there are none.
func (r *Report) waivedLine() string {
	n := r.Waived()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s measured on a throttled GPU: a warning, not a failure (gate.on_throttle: warn).", throttledMark, plural(n, "regression"))
}

// WarningAnnotations returns one line per regressed cell that does not
// fail the check because its GPU was throttled, for `::warning`
// annotations.
func (r *Report) WarningAnnotations() []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if !row.ThrottleWaived {
				continue
			}
			for _, c := range row.Cells {
				if c.Verdict == stats.Regression {
					out = append(out, fmt.Sprintf("%s %s: %s regressed %s on a throttled GPU (%s): a warning, not a failure (gate.on_throttle: warn)",
						serverTitle(g.Server), row.Point.Label(), c.Metric, fmtPct(c.Change), row.Throttled))
				}
			}
		}
	}
	return out
}

// throttleLegend extends the legend of marks when a point is suspect.
func (r *Report) throttleLegend() string {
	for _, row := range r.Rows() {
		if row.Throttled != "" {
			return ", " + throttledMark + " suspect (measured on a throttled GPU)"
		}
	}
	return ""
}
