package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// suspectMark follows a latency cell measured by a saturated client.
const suspectMark = "⏱️ suspect"

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
	return fmt.Sprintf("### ⏱️ Measured by a saturated client (%d)\n\n- %s\n\n", total, strings.Join(lines, "\n- "))
}

// textClient renders clientLines for a terminal.
func (r *Report) textClient() string {
	lines := r.clientLines()
	if len(lines) == 0 {
		return ""
	}
	return "\nwarning: measured by a saturated client:\n  " + strings.Join(lines, "\n  ") + "\n"
}
