package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// shown reports whether a row belongs in the main tables: every point that
// did not stay unchanged.
func shown(row *gate.Row) bool { return row.Verdict != stats.Unchanged }

// mdTables renders, per server configuration, the table of points that did
// not stay unchanged (at most limit rows each, -1: all), the notes of its
// failed and not-gated points, and the legend of the marks used.
func (r *Report) mdTables(l labeler, limit int) string {
	var b strings.Builder
	used := newMarks()
	for _, g := range r.Groups {
		b.WriteString(r.mdGroup(g, l, limit, used))
	}
	b.WriteString(used.legend())
	return b.String()
}

// mdGroup renders one server configuration's table, or "" when all its
// points stayed unchanged.
func (r *Report) mdGroup(g *gate.Group, l labeler, limit int, used *marks) string {
	var rows []*gate.Row
	for _, row := range g.Rows {
		if shown(row) {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return ""
	}
	rows, hidden := worstFirst(rows, limit)
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", l.heading(g.Server))
	var tabled []*gate.Row
	for _, row := range rows {
		if len(row.Cells) > 0 {
			used.verdicts[row.Verdict] = true
			tabled = append(tabled, row)
		}
	}
	if len(tabled) > 0 {
		b.WriteString(compactTable(tabled, l, used))
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "_%s not shown to fit GitHub's size limit; the full report has every point._\n\n", plural(hidden, "more point"))
	}
	notes := rowNotes(rows, l)
	for _, row := range rows {
		if len(row.Hints) > 0 {
			notes = append(notes, fmt.Sprintf("- %s %s, server and GPU: %s", mark(row.Verdict), l.row(row.Point), hintText(row)))
		}
	}
	for _, row := range rows {
		if note := r.throttleNote(g, row); note != "" {
			notes = append(notes, fmt.Sprintf("- %s %s %s", throttledMark, l.row(row.Point), note))
		}
	}
	for _, row := range rows {
		if note := suspectNote(row); note != "" {
			notes = append(notes, fmt.Sprintf("- %s %s %s", suspectMark, l.row(row.Point), note))
		}
	}
	if len(notes) > 0 {
		b.WriteString(strings.Join(notes, "\n") + "\n\n")
	}
	return b.String()
}

// rowNotes are the lines under a table for the points whose verdict is not
// a change of their cells (failed, missing, new, not gated): the verdict in
// words and why, once for a run of points that share both ("⛔ C64, C128
// and C256 missing (not run: ...)"). Regressions, improvements and
// undecided points have none: their cells carry the marks.
func rowNotes(rows []*gate.Row, l labeler) []string {
	var out []string
	for i := 0; i < len(rows); {
		row := rows[i]
		switch row.Verdict {
		case stats.Regression, stats.Improvement, stats.Undecided, stats.Unchanged:
			i++
			continue
		}
		names := []string{l.row(row.Point)}
		j := i + 1
		for ; j < len(rows) && rows[j].Verdict == row.Verdict && rows[j].Note == row.Note; j++ {
			names = append(names, l.row(rows[j].Point))
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("- %s %s %s", mark(row.Verdict), joinWords(names), whyNote(row))))
		i = j
	}
	return out
}

// whyNote is a row's verdict in words with the gate's reason: "failed (3
// of 200 requests failed)".
func whyNote(row *gate.Row) string {
	word := verdictWord(row.Verdict)
	note := strings.TrimSuffix(row.Note, ": "+word)
	switch {
	case note != "":
		return word + " (" + note + ")"
	case row.Verdict == stats.New:
		return word + " (no baseline to compare with)"
	}
	return word
}

// tableMetrics returns the metrics of the rows' cells in order of first
// appearance, with their units.
func tableMetrics(rows []*gate.Row) ([]string, []string) {
	var metrics, units []string
	seen := map[string]bool{}
	for _, row := range rows {
		for _, c := range row.Cells {
			if !seen[c.Metric] {
				seen[c.Metric] = true
				metrics = append(metrics, c.Metric)
				units = append(units, c.Unit)
			}
		}
	}
	return metrics, units
}

// tableCell is a compact-table cell: with full, baseline → this run and
// the change, else the change alone; then the mark of a cell that changed.
// The unit is in the column heading and the interval in the details. It
// records the marks it uses.
func tableCell(c *gate.Cell, full bool, used *marks) string {
	if c == nil {
		return "—"
	}
	if c.Verdict == stats.New {
		if !full {
			return "—"
		}
		return "— → " + fmtValue(c.Cur)
	}
	s := fmtPct(c.Change)
	if full {
		s = fmt.Sprintf("%s → %s %s", fmtValue(c.Base), fmtValue(c.Cur), s)
	}
	switch c.Verdict {
	case stats.Regression, stats.Improvement, stats.Undecided:
		s += " " + mark(c.Verdict)
		used.verdicts[c.Verdict] = true
	}
	if c.Test == gate.TestTolerance && c.Verdict != stats.Skipped {
		s += " †"
		used.dagger = true
	}
	if c.Suspect {
		s += " " + suspectMark
		used.suspectCell = true
	}
	return s
}

// marks records which marks the tables used, for their legend.
type marks struct {
	verdicts    map[stats.Verdict]bool
	dagger      bool
	suspect     bool
	suspectCell bool
	// full and changes say which cells the tables used: baseline → this
	// run and change, or the change alone.
	full, changes bool
}

func newMarks() *marks { return &marks{verdicts: map[stats.Verdict]bool{}} }

// legend explains the marks the tables used, "" when they used none.
func (m *marks) legend() string {
	var parts []string
	for _, v := range inVerdictOrder(m.verdicts) {
		if mark(v) != "" {
			parts = append(parts, mark(v)+" "+verdictWord(v))
		}
	}
	if m.dagger {
		parts = append(parts, "† no test possible (tolerance alone)")
	}
	if m.suspect {
		parts = append(parts, throttledMark+" suspect (measured on a throttled GPU)")
	}
	if m.suspectCell {
		parts = append(parts, suspectLegend)
	}
	var cells string
	switch {
	case m.full && m.changes:
		cells = "Cells: baseline → this run and change, or the change alone where a table is too wide for both; every value is in the details below"
	case m.full:
		cells = "Cells: baseline → this run, change"
	case m.changes:
		cells = "Cells: the change from the baseline; every value is in the details below"
	}
	text := strings.Join(parts, " · ")
	if text != "" && cells != "" {
		text += ". "
	}
	if text += cells; text == "" {
		return ""
	}
	return "<sub>" + text + ".</sub>\n\n"
}

// worstFirst keeps at most limit rows (-1: all), preferring the most severe,
// in their original order, and returns how many it dropped.
func worstFirst(rows []*gate.Row, limit int) ([]*gate.Row, int) {
	if limit < 0 || len(rows) <= limit {
		return rows, 0
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]].Verdict.Severity() > rows[idx[b]].Verdict.Severity() })
	keep := idx[:limit]
	sort.Ints(keep)
	out := make([]*gate.Row, len(keep))
	for i, k := range keep {
		out[i] = rows[k]
	}
	return out, len(rows) - limit
}
