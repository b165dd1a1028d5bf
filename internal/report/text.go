package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Text renders the whole report for a terminal: the headline, and per server
// configuration one row per point and metric with every number.
func (r *Report) Text() string {
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(r.headline(), "## ") + "\n")
	b.WriteString(r.summaryLine() + "\n")
	if w := r.waivedLine(); w != "" {
		b.WriteString(strings.TrimPrefix(w, throttledMark+" ") + "\n")
	}
	for _, line := range r.gateLines() {
		b.WriteString(strings.ReplaceAll(line, "`", "") + "\n")
	}
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "\n%s\n", serverTitle(g.Server))
		var rows [][]string
		for _, row := range g.Rows {
			if len(row.Cells) == 0 {
				rows = append(rows, []string{row.Point.Label(), "", "", "", "", "", "", "", string(row.Verdict) + ": " + row.Note})
				continue
			}
			for _, c := range row.Cells {
				verdict := string(c.Verdict)
				if c.Verdict == stats.Skipped {
					verdict += ": " + row.Note
				}
				rows = append(rows, []string{
					row.Point.Label(), c.Metric, fmtValue(c.Base), fmtValue(c.Cur),
					fmtPct(c.Change), fmtCI(c.CI), c.Test, fmtP(c.PAdj), verdict,
				})
			}
		}
		b.WriteString(textTable([]string{"point", "metric", "baseline", "current", "change", "95% CI", "test", "p (adj)", "verdict"}, rows))
		for _, row := range g.Rows {
			if len(row.Hints) > 0 {
				fmt.Fprintf(&b, "  %s %s: %s\n", row.Point.Label(), row.Verdict, hintText(row))
			}
		}
	}
	if lines := r.throttleLines(func(row *gate.Row) string { return row.Name }); len(lines) > 0 {
		b.WriteString("\nsuspect points:\n")
		for _, line := range lines {
			b.WriteString("  " + line + "\n")
		}
	}
	if ws := r.warningCounts(); len(ws) > 0 {
		b.WriteString("\ncaveats:\n")
		for _, w := range ws {
			b.WriteString("  " + w + "\n")
		}
	}
	return b.String()
}

// Annotations returns one line per regressed cell and per failed point, for
// `::error` annotations.
func (r *Report) Annotations() []string {
	var out []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			where := fmt.Sprintf("%s %s", serverTitle(g.Server), row.Point.Label())
			switch row.Verdict {
			case stats.Failed:
				out = append(out, fmt.Sprintf("%s: point failed: %s", where, row.Note))
				continue
			case gate.Missing:
				out = append(out, fmt.Sprintf("%s: point missing: %s", where, row.Note))
				continue
			}
			for _, c := range row.Cells {
				if c.Verdict != stats.Regression || row.ThrottleWaived {
					continue
				}
				msg := fmt.Sprintf("%s: %s regressed %s (%s → %s %s", where, c.Metric, fmtPct(c.Change), fmtValue(c.Base), fmtValue(c.Cur), c.Unit)
				if c.CI != nil {
					msg += ", 95% CI " + fmtCI(c.CI)
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
