package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// clientMark marks what a saturated client measured.
const clientMark = "⏱️"

// suspectMark follows a latency cell measured by a saturated client.
const suspectMark = clientMark + " suspect"

// clientLines returns one warning per point measured by a saturated load
// generator (in this run or in its baseline): its latency cells are
// suspect, and their regressions are shown but not counted.
func (r *Report) clientLines() []string {
	var lines []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.ClientSaturated == "" {
				continue
			}
			line := fmt.Sprintf("%s %s: %s", serverTitle(g.Server), row.Point.Label(), row.ClientSaturated)
			n := 0
			for _, c := range row.Cells {
				if c.Suspect && c.Verdict == stats.Regression {
					n++
				}
			}
			if n > 0 {
				line += fmt.Sprintf(" (%s not counted)", plural(n, "latency regression"))
			}
			lines = append(lines, line)
		}
	}
	return lines
}

// mdClient renders clientLines as a markdown section.
func (r *Report) mdClient(limit int) string {
	lines := r.clientLines()
	if len(lines) == 0 {
		return ""
	}
	total := len(lines)
	if limit >= 0 && limit < total {
		lines = append(lines[:limit], fmt.Sprintf("… and %d more", total-limit))
	}
	return fmt.Sprintf("### "+clientMark+" Measured by a saturated client (%d)\n\n- %s\n\n", total, strings.Join(lines, "\n- "))
}

// textClient renders clientLines for a terminal.
func (r *Report) textClient() string {
	lines := r.clientLines()
	if len(lines) == 0 {
		return ""
	}
	return "\nwarning: measured by a saturated client:\n  " + strings.Join(lines, "\n  ") + "\n"
}

// suspectLine is the summary's warning about latency regressions measured
// by a saturated client, which do not count; "" when there are none.
func (r *Report) suspectLine() string {
	n := r.SuspectRegressions()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s measured by a saturated client: suspect, not counted.", clientMark, plural(n, "latency regression"))
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

// clientLegend extends the legend of marks when a cell is suspect.
func (r *Report) clientLegend() string {
	for _, row := range r.Rows() {
		if row.ClientSaturated != "" {
			return ", " + suspectMark + " (measured by a saturated client; a regression is not counted)"
		}
	}
	return ""
}
