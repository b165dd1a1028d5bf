package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// verdictOrder is the order verdicts are counted and listed in: what blocks
// first. Verdicts it does not name follow, most severe first.
func verdictOrder() []stats.Verdict {
	return []stats.Verdict{
		stats.Regression, stats.Failed, gate.Missing, stats.Undecided, stats.Skipped, stats.New, stats.Improvement, stats.Unchanged,
	}
}

// verdictsPresent returns the verdicts of the report's points in
// verdictOrder, with their counts.
func (r *Report) verdictsPresent() ([]stats.Verdict, map[stats.Verdict]int) {
	n := map[stats.Verdict]int{}
	for _, row := range r.Rows() {
		n[row.Verdict]++
	}
	set := map[stats.Verdict]bool{}
	for v := range n {
		set[v] = true
	}
	return inVerdictOrder(set), n
}

// inVerdictOrder lists a set of verdicts in verdictOrder; verdicts it does
// not name follow, most severe first.
func inVerdictOrder(set map[stats.Verdict]bool) []stats.Verdict {
	var out, other []stats.Verdict
	known := map[stats.Verdict]bool{}
	for _, v := range verdictOrder() {
		known[v] = true
		if set[v] {
			out = append(out, v)
		}
	}
	for v := range set {
		if !known[v] {
			other = append(other, v)
		}
	}
	sort.Slice(other, func(i, j int) bool {
		if other[i].Severity() != other[j].Severity() {
			return other[i].Severity() > other[j].Severity()
		}
		return other[i] < other[j]
	})
	return append(out, other...)
}

// blocking reports whether a point verdict fails the gate.
func blocking(v stats.Verdict) bool {
	return v == gate.Missing || v.Severity() >= stats.Regression.Severity()
}

// worst names the row with verdict v whose cell changed most, with its
// changed metrics, and how many more rows have v. Of regressions it names
// one that fails the check, or, when count is that of the regressions
// measured on a throttled GPU, one of those.
func (r *Report) worst(l labeler, v stats.Verdict, count int) string {
	var best *gate.Row
	var bestGroup *gate.Group
	bestSize := -1.0
	onlyWaived := v == stats.Regression && r.waivedRows() == count
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.Verdict != v || (v == stats.Regression && row.ThrottleWaived != onlyWaived) {
				continue
			}
			for _, c := range row.Cells {
				if c.Verdict == v && !c.Suspect && absChange(c) > bestSize {
					best, bestGroup, bestSize = row, g, absChange(c)
				}
			}
		}
	}
	if best == nil {
		return r.firstOf(l, v, count)
	}
	var changes []string
	for _, c := range best.Cells {
		if c.Verdict == v && !c.Suspect {
			changes = append(changes, metricTitle(c.Metric)+" "+fmtPct(c.Change))
		}
	}
	s := l.where(bestGroup.Server, best.Point) + " · " + strings.Join(changes, ", ")
	if count > 1 {
		s += " and " + plural(count-1, "more point")
	}
	return s
}

// waivedRows counts the regressed points measured on a throttled GPU whose
// regressions are warnings (gate.on_throttle: warn).
func (r *Report) waivedRows() int {
	n := 0
	for _, row := range r.Rows() {
		if row.Verdict == stats.Regression && row.ThrottleWaived {
			n++
		}
	}
	return n
}

// absChange is the size of a cell's change.
func absChange(c *gate.Cell) float64 {
	if c.Change < 0 {
		return -c.Change
	}
	return c.Change
}

// firstOf names the first row with verdict v and how many more have it.
func (r *Report) firstOf(l labeler, v stats.Verdict, count int) string {
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.Verdict == v {
				s := l.where(g.Server, row.Point)
				if count > 1 {
					s += fmt.Sprintf(" and %d more", count-1)
				}
				return s
			}
		}
	}
	return ""
}
