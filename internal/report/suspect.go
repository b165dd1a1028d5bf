package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// suspectMark marks a point, and its cells, whose measurement cannot be
// trusted (a saturated client, a busy host, a degenerate statistic, ...).
const suspectMark = "⏱️"

// suspectLegend explains suspectMark in the tables' legend.
const suspectLegend = suspectMark + " suspect (the measurement cannot be trusted; listed with the reason, not counted)"

// suspectCount is the number of regressed cells of row that do not count
// because they are suspect.
func suspectCount(row *gate.Row) int {
	n := 0
	for _, c := range row.Cells {
		if c.Suspect && c.Verdict == stats.Regression {
			n++
		}
	}
	return n
}

// suspectNote says why a point's cells are suspect, "" for a clean point.
func suspectNote(row *gate.Row) string {
	if row.Suspect == "" {
		return ""
	}
	note := row.Suspect
	if n := suspectCount(row); n > 0 && !row.ThrottleWaived {
		note += fmt.Sprintf(" (%s not counted)", plural(n, "regression"))
	}
	return note
}

// suspectSummary is the summary's line about suspect regressions, which do
// not count; none when there are none.
func (r *Report) suspectSummary() []string {
	n := r.SuspectRegressions()
	if n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s %s on suspect measurements: listed under \"suspect\", not counted.", suspectMark, plural(n, "regression"))}
}

// suspectCells lists every suspect cell, one line each: where, metric,
// change and verdict, and why. They are never counted or headlined.
func (r *Report) suspectCells(l labeler) []string {
	var lines []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			for _, c := range row.Cells {
				if !c.Suspect {
					continue
				}
				lines = append(lines, fmt.Sprintf("%s · %s %s (%s): %s", l.where(g.Server, row.Point),
					metricTitle(c.Metric), fmtPct(c.Change), verdictWord(c.Verdict), c.SuspectReason))
			}
		}
	}
	return lines
}

// textSuspect lists, for a terminal, the suspect cells under their own
// heading.
func (r *Report) textSuspect(l labeler) string {
	lines := r.suspectCells(l)
	if len(lines) == 0 {
		return ""
	}
	return "\nsuspect, not counted:\n  " + strings.Join(lines, "\n  ") + "\n"
}

// mdSuspect lists, for markdown, the suspect cells under their own
// heading.
func (r *Report) mdSuspect(l labeler) string {
	lines := r.suspectCells(l)
	if len(lines) == 0 {
		return ""
	}
	return "### Suspect, not counted\n\n- " + suspectMark + " " + strings.Join(lines, "\n- "+suspectMark+" ") + "\n\n"
}

// suspectAnnotations returns one line per suspect regressed cell, for
// `::warning` annotations.
func (r *Report) suspectAnnotations() []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.ThrottleWaived {
				continue // already a warning for its GPU
			}
			for _, c := range row.Cells {
				if c.Verdict == stats.Regression && c.Suspect {
					out = append(out, fmt.Sprintf("%s %s: %s regressed %s, suspect, not counted: %s",
						serverTitle(g.Server), pointLabel(row.Point), c.Metric, fmtPct(c.Change), c.SuspectReason))
				}
			}
		}
	}
	return out
}
