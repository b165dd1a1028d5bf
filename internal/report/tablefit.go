package report

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// commentWidthPx is the width of a PR comment's body on github.com; the
// compact table fits it without wrapping a line.
const commentWidthPx = 780

// The width of a table as GitHub draws it at 14 px, estimated on the wide
// side: Chromium draws the comment's digits and letters 7 to 7.5 px wide
// (headings in bold a little wider), an emoji 18 to 20 px, and each cell
// adds 13 px of padding each side and a 1 px border.
const (
	charPx       = 8.0
	boldCharPx   = 8.5
	symbolPx     = 14.0 // →, —, ·, ±
	emojiPx      = 20.0
	cellExtraPx  = 27.0
	tableExtraPx = 1.0
)

// textPx estimates how wide text is drawn in a table cell.
func textPx(text string, bold bool) float64 {
	w := 0.0
	for _, r := range text {
		switch {
		case r == '\uFE0F': // emoji presentation selector: no width
		case r < 0x80:
			if bold {
				w += boldCharPx
			} else {
				w += charPx
			}
		case r >= 0x2300 && r != 0x2192:
			w += emojiPx // ❌ ⚠ ⛔ ⏱ and the pictographs
		default:
			w += symbolPx
		}
	}
	return w
}

// tableWidthPx estimates how wide a markdown table is drawn: each column
// as wide as its widest cell, plus padding and borders.
func tableWidthPx(header []string, rows [][]string) float64 {
	w := tableExtraPx
	for i, h := range header {
		col := textPx(h, true)
		for _, row := range rows {
			col = math.Max(col, textPx(row[i], false))
		}
		w += col + cellExtraPx
	}
	return w
}

// compactTable renders the table of a server configuration's points that
// did not stay unchanged: one row per point, named by what varies, and at
// most one column per gated metric, only for the metrics that did not stay
// unchanged at a point shown. Each cell holds baseline → this run and the
// change when the table then fits a comment's width, else the change
// alone; when even that is too wide, the metrics that change least are
// left to the details and named under the table.
func compactTable(rows []*gate.Row, l labeler, used *marks) string {
	candidates := tableCandidates(rows)
	if len(candidates) == 0 {
		return ""
	}
	fits := func(metrics []string, full bool) bool {
		header, cells := tableOf(rows, l, metrics, full, newMarks())
		return tableWidthPx(header, cells) <= commentWidthPx
	}
	metrics, full := candidates, true
	if !fits(metrics, true) {
		metrics, full = candidates[:1], false
		for _, m := range candidates[1:] {
			next := append(slices.Clone(metrics), m)
			if !fits(next, false) {
				break // a less telling metric never takes the place of a more telling one
			}
			metrics = next
		}
	}
	header, cells := tableOf(rows, l, metrics, full, used)
	used.full = used.full || full
	used.changes = used.changes || !full
	out := markdownTable(header, cells) + "\n"
	if left := leftOut(rows, candidates, metrics); len(left) > 0 {
		out += "<sub>Not in the table, to fit a comment's width: " + joinWords(left) + "; every metric is in the details below.</sub>\n\n"
	}
	return out
}

// tableOf is the compact table's heading and cells for the given metrics,
// shown in the order of the rows' cells; it records the marks it uses.
func tableOf(rows []*gate.Row, l labeler, metrics []string, full bool, used *marks) ([]string, [][]string) {
	var shown []string
	var units []string
	all, allUnits := tableMetrics(rows)
	for i, m := range all {
		if slices.Contains(metrics, m) {
			shown = append(shown, m)
			units = append(units, allUnits[i])
		}
	}
	header := []string{"point"}
	for i, m := range shown {
		if full {
			header = append(header, metricHeading(m, units[i]))
		} else {
			header = append(header, changeHeading(m, units[i]))
		}
	}
	cells := make([][]string, 0, len(rows))
	for _, row := range rows {
		line := []string{pointName(row, l, used)}
		for _, m := range shown {
			line = append(line, tableCell(cellOf(row, m), full, used))
		}
		cells = append(cells, line)
	}
	return header, cells
}

// pointName is a compact-table row's name: its mark, what varies between
// the points, and the marks of a throttled GPU or a suspect measurement.
func pointName(row *gate.Row, l labeler, used *marks) string {
	used.verdicts[row.Verdict] = true
	name := strings.TrimSpace(mark(row.Verdict) + " " + l.row(row.Point))
	if row.Throttled != "" {
		name += " " + throttledMark
		used.suspect = true
	}
	if row.Suspect != "" {
		name += " " + suspectMark
		used.suspectCell = true
	}
	return name
}

// tableCandidates returns the metrics the compact table may show, the
// ones with a cell that did not stay unchanged, most telling first: by the
// most severe verdict of their cells, then by how many cells have it, then
// by their largest change, then in the order of the cells.
func tableCandidates(rows []*gate.Row) []string {
	type entry struct {
		severity, count int
		size            float64
		order           int
	}
	by := map[string]*entry{}
	var names []string
	for _, row := range rows {
		for _, c := range row.Cells {
			if c.Verdict == stats.Unchanged {
				continue
			}
			e := by[c.Metric]
			if e == nil {
				e = &entry{severity: math.MinInt, order: len(names)}
				by[c.Metric] = e
				names = append(names, c.Metric)
			}
			switch sev := c.Verdict.Severity(); {
			case sev > e.severity:
				e.severity, e.count = sev, 1
			case sev == e.severity:
				e.count++
			}
			if !math.IsNaN(c.Change) {
				e.size = math.Max(e.size, math.Abs(c.Change))
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool {
		a, b := by[names[i]], by[names[j]]
		if a.severity != b.severity {
			return a.severity > b.severity
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.size > b.size
	})
	return names
}

// leftOut names the candidate metrics the table leaves out, each with the
// marks of the verdicts of its cells: "p99 ITL ❌ 🟡".
func leftOut(rows []*gate.Row, candidates, shown []string) []string {
	var out []string
	for _, m := range candidates {
		if slices.Contains(shown, m) {
			continue
		}
		set := map[stats.Verdict]bool{}
		for _, row := range rows {
			if c := cellOf(row, m); c != nil {
				set[c.Verdict] = true
			}
		}
		name := metricTitle(m)
		for _, v := range inVerdictOrder(set) {
			if mark(v) != "" {
				name += " " + mark(v)
			}
		}
		out = append(out, name)
	}
	return out
}
