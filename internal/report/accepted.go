package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// AcceptedSection is the note above a report whose regressions were
// accepted on purpose: by whom (a pull request label, or the workflow's
// actor with update-baselines: accept), why, and every regressed cell that
// was accepted, so the reviewer reads the decision next to its size.
func AcceptedSection(by, reason string, reports []*gate.Report) string {
	var cells []string
	for _, r := range reports {
		for _, g := range r.Groups {
			for _, row := range g.Rows {
				if row.ThrottleWaived {
					continue
				}
				for _, c := range row.Cells {
					if c.Verdict == stats.Regression && !c.Suspect {
						cells = append(cells, fmt.Sprintf("%s · %s · %s %s",
							serverName(g.Server), pointLabel(row.Point), metricTitle(c.Metric), fmtPct(c.Change)))
					}
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> [!NOTE]\n> **Accepted by %s**: %s. %s accepted instead of failing the check:\n",
		by, reason, upperFirst(plural(len(cells), "regression")))
	for _, c := range cells {
		fmt.Fprintf(&b, "> - %s\n", c)
	}
	return b.String() + "\n"
}
