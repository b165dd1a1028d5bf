package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// clientMark marks a point, and its latency cells, measured by a saturated
// load generator.
const clientMark = "⏱️"

// clientLegend explains clientMark in the tables' legend.
const clientLegend = clientMark + " suspect (measured by a saturated client; its latency regressions are not counted)"

// suspectCount is the number of regressed cells of row that do not count
// because a saturated client measured them.
func suspectCount(row *gate.Row) int {
	n := 0
	for _, c := range row.Cells {
		if c.Suspect && c.Verdict == stats.Regression {
			n++
		}
	}
	return n
}

// clientNote says why a point measured by a saturated client is marked,
// "" for any other point.
func clientNote(row *gate.Row) string {
	if row.ClientSaturated == "" {
		return ""
	}
	note := row.ClientSaturated
	if n := suspectCount(row); n > 0 && !row.ThrottleWaived {
		note += fmt.Sprintf(" (%s not counted)", plural(n, "latency regression"))
	}
	return note
}

// clientSummary is the summary's line about latency regressions measured
// by a saturated client, which do not count; none when there are none.
func (r *Report) clientSummary() []string {
	n := r.SuspectRegressions()
	if n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s %s measured by a saturated client: suspect, not counted.", clientMark, plural(n, "latency regression"))}
}

// textClient lists, for a terminal, the points measured by a saturated
// client.
func (r *Report) textClient(l labeler) string {
	var lines []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if note := clientNote(row); note != "" {
				lines = append(lines, fmt.Sprintf("  %s: %s", l.where(g.Server, row.Point), note))
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\nmeasured by a saturated client:\n" + strings.Join(lines, "\n") + "\n"
}

// clientAnnotations returns one line per suspect regressed cell, for
// `::warning` annotations.
func (r *Report) clientAnnotations() []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.ThrottleWaived {
				continue // already a warning for its GPU
			}
			for _, c := range row.Cells {
				if c.Verdict == stats.Regression && c.Suspect {
					out = append(out, fmt.Sprintf("%s %s: %s regressed %s, measured by a saturated client (%s): suspect, not counted",
						serverTitle(g.Server), row.Point.Label(), c.Metric, fmtPct(c.Change), row.ClientSaturated))
				}
			}
		}
	}
	return out
}
