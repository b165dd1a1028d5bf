package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Text renders the whole report for a terminal, numbers first as in the
// markdown: the answer (headline, counts, what the verdict rests on), then
// the cells that changed, one line each (where the markdown has its compact
// tables and charts), then per server configuration one row per point and
// metric with every number, and the caveats.
func (r *Report) Text() string {
	l := r.labeler()
	var b strings.Builder
	head := r.headlines(l)
	b.WriteString(head[0] + r.pairedTitle() + "\n")
	for _, line := range head[1:] {
		b.WriteString(line + "\n")
	}
	b.WriteString(r.summaryLine() + "\n")
	if w := r.waivedLine(); w != "" {
		b.WriteString(strings.TrimPrefix(w, throttledMark+" ") + "\n")
	}
	for _, w := range r.suspectSummary() {
		b.WriteString(strings.TrimPrefix(w, suspectMark+" ") + "\n")
	}
	b.WriteString(r.restsOn() + "\n")
	if n := r.notMeasured(); n != "" {
		b.WriteString(n + "\n")
	}
	if changes := r.changeLines(l); len(changes) > 0 {
		b.WriteString("\nwhat changed:\n")
		for _, line := range changes {
			b.WriteString("  " + line + "\n")
		}
	}
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "\n%s\n", l.heading(g.Server))
		var rows [][]string
		for _, row := range g.Rows {
			if len(row.Cells) == 0 {
				rows = append(rows, []string{l.row(row.Point), "", "", "", "", "", "", "", "", "", verdictWord(row.Verdict) + ": " + row.Note})
				continue
			}
			for _, c := range row.Cells {
				verdict := verdictWord(c.Verdict)
				if c.Verdict == stats.Skipped || c.Verdict == stats.NotComparable {
					verdict += ": " + row.Note
				}
				if c.Suspect {
					verdict += " (suspect)"
				}
				rows = append(rows, []string{
					l.row(row.Point), c.Metric, fmtValue(c.Base), fmtValue(c.Cur),
					fmtPct(c.Change), fmtCI(verdictInterval(c)), c.Test, fmtP(c.PAdj), fmtTolerance(c), fmtDetectable(c), verdict,
				})
			}
		}
		b.WriteString(textTable([]string{"point", "metric", "baseline", "current", "change", r.intervalHeading(), "test", "p (adj)", "tolerance", "detectable", "verdict"}, rows))
		for _, row := range g.Rows {
			if len(row.Hints) > 0 {
				fmt.Fprintf(&b, "  %s %s: %s\n", l.row(row.Point), verdictWord(row.Verdict), hintText(row))
			}
		}
	}
	b.WriteString(r.textSuspect(l))
	if lines := r.throttleLines(func(row *gate.Row) string { return row.Name }); len(lines) > 0 {
		b.WriteString("\nthrottled GPU:\n")
		for _, line := range lines {
			b.WriteString("  " + line + "\n")
		}
	}
	if ws := r.warningCounts(); len(ws) > 0 {
		b.WriteString("\ncaveats:\n")
		for _, w := range ws {
			b.WriteString("  " + w.String() + "\n")
		}
	}
	return b.String()
}

// changeLines lists every regressed, improved or undecided cell, most
// severe first: where, metric, values, change and interval.
func (r *Report) changeLines(l labeler) []string {
	type line struct {
		text     string
		severity int
	}
	var lines []line
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			for _, c := range row.Cells {
				switch c.Verdict {
				case stats.Regression, stats.Improvement, stats.Undecided:
				default:
					continue
				}
				text := fmt.Sprintf("%s %s: %s · %s %s → %s %s %s", mark(c.Verdict), c.Verdict, l.where(g.Server, row.Point),
					metricTitle(c.Metric), fmtValue(c.Base), fmtValue(c.Cur), c.Unit, fmtPct(c.Change))
				if iv := verdictInterval(c); iv != nil {
					text += " " + fmtCI(iv)
				}
				if c.Suspect {
					text += " (suspect, not counted)"
				}
				if c.Reason != "" {
					text += ": " + c.Reason
				}
				lines = append(lines, line{text, c.Verdict.Severity()})
			}
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].severity > lines[j].severity })
	out := make([]string, len(lines))
	for i, ln := range lines {
		out[i] = ln.text
	}
	return out
}

// Annotations returns one line per regressed cell and per failed point, for
// `::error` annotations.
func (r *Report) Annotations() []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			where := fmt.Sprintf("%s %s", serverTitle(g.Server), pointLabel(row.Point))
			switch row.Verdict {
			case stats.Failed:
				out = append(out, fmt.Sprintf("%s: point failed: %s", where, row.Note))
				continue
			case gate.Missing:
				out = append(out, fmt.Sprintf("%s: point missing: %s", where, row.Note))
				continue
			}
			for _, c := range row.Cells {
				if c.Verdict != stats.Regression || row.ThrottleWaived || c.Suspect {
					continue // a waived or suspect regression is a warning
				}
				msg := fmt.Sprintf("%s: %s regressed %s (%s → %s %s", where, c.Metric, fmtPct(c.Change), fmtValue(c.Base), fmtValue(c.Cur), c.Unit)
				if c.CI != nil {
					msg += ", " + r.ciLabel() + " CI " + fmtCI(c.CI)
				}
				if c.Test != gate.TestTolerance {
					msg += ", adjusted p " + fmtP(c.PAdj)
				} else {
					msg += ", no test possible"
				}
				out = append(out, msg+")")
			}
		}
	}
	return out
}
