package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// throttledMark marks a point measured on a throttled GPU.
const throttledMark = "🌡️"

// hintText is a row's hints as one line.
func hintText(row *gate.Row) string { return strings.Join(row.Hints, ", ") }

// throttleLines say, per suspect point, why, and whether its regressions
// fail the check; format names the point.
func (r *Report) throttleLines(format func(row *gate.Row) string) []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if note := r.throttleNote(g, row); note != "" {
				out = append(out, format(row)+" "+note)
			}
		}
	}
	return out
}

// throttleNote says why a point is suspect and whether its regressions
// fail the check: "measured on a throttled GPU: ...; its regression is a
// warning, ...". It is "" for a point that is not suspect, failed or
// missing.
func (r *Report) throttleNote(g *gate.Group, row *gate.Row) string {
	if row.Throttled == "" || row.Verdict == stats.Failed || row.Verdict == gate.Missing {
		return ""
	}
	note := "measured on a throttled GPU: " + row.Throttled
	switch {
	case row.ThrottleWaived:
		note += "; its regression is a warning, not a failure (gate.on_throttle: warn)"
	case row.Verdict == stats.Regression && r.Gates[g.Server.Run].OnThrottle == gate.OnThrottleFail:
		note += "; its regression fails the check (gate.on_throttle: fail)"
	}
	return note
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
// fail the check because its GPU was throttled or a saturated client
// measured it, for `::warning` annotations.
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
						serverTitle(g.Server), pointLabel(row.Point), c.Metric, fmtPct(c.Change), row.Throttled))
				}
			}
		}
	}
	return append(out, r.suspectAnnotations()...)
}
