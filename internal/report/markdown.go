package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// MaxMarkdownBytes bounds Markdown's output. GitHub caps a comment at 65,536
// characters; the margin leaves room for the github stage's marker and
// header. The report summarises (fewer rows, then no details) to fit, and
// never cuts a table in the middle.
const MaxMarkdownBytes = 60000

// Markdown renders the report for the job summary and the PR comment: a
// headline, one table per server configuration with the points that are not
// unchanged, lists of failed, new and not-gated points, caveats, throughput
// charts and a collapsed block with every point and metric. It stays under
// MaxMarkdownBytes.
func (r *Report) Markdown() string {
	var head string
	for _, limit := range []int{-1, 40, 10, 3, 0} {
		head = r.mdHead(limit)
		if len(head) <= MaxMarkdownBytes*2/3 || limit == 0 {
			break
		}
	}
	out := head
	if charts := r.mdCharts(); charts != "" && len(out)+len(charts) <= MaxMarkdownBytes*3/4 {
		out += charts
	}
	for _, full := range []bool{true, false} {
		if d := r.mdDetails(full); len(out)+len(d) <= MaxMarkdownBytes {
			return out + d
		}
	}
	return out + "\n_The per-metric details were left out to fit GitHub's size limit; run `vllm-bench compare --format text` or `--format json` for every value._\n"
}

// mdHead renders everything but charts and details, with at most limit rows
// per table and list (-1: no limit).
func (r *Report) mdHead(limit int) string {
	var b strings.Builder
	b.WriteString(r.headline())
	b.WriteString("\n\n")
	b.WriteString(r.summaryLine())
	b.WriteString("\n\n")
	if w := r.waivedLine(); w != "" {
		b.WriteString(w + "\n\n")
	}
	for _, line := range r.gateLines() {
		b.WriteString(line + "  \n")
	}
	b.WriteString("\n")
	for _, g := range r.Groups {
		b.WriteString(r.mdGroup(g, limit))
	}
	b.WriteString(r.mdList("Missing points (planned, not measured)", gate.Missing, limit, func(row *gate.Row) string { return row.Note }))
	b.WriteString(r.mdList("Failed points", stats.Failed, limit, func(row *gate.Row) string { return row.Note }))
	b.WriteString(r.mdList("New points (no baseline)", stats.New, limit, func(row *gate.Row) string {
		return fmt.Sprintf("output %s tok/s", fmtValue(row.CurThroughput))
	}))
	b.WriteString(r.mdList("Not gated", stats.Skipped, limit, func(row *gate.Row) string { return row.Note }))
	if lines := r.throttleLines(func(row *gate.Row) string { return throttledMark + " `" + row.Name + "`" }); len(lines) > 0 {
		b.WriteString("### Suspect points\n\n- " + strings.Join(lines, "\n- ") + "\n\n")
	}
	b.WriteString(r.mdCaveats())
	return b.String()
}

// headline is the first line: pass, or what failed.
func (r *Report) headline() string {
	var parts []string
	if n := r.Regressions(); n > 0 {
		parts = append(parts, plural(n, "regression"))
	}
	if n := r.Failed(); n > 0 {
		parts = append(parts, plural(n, "failed point"))
	}
	if n := r.Missing(); n > 0 {
		parts = append(parts, plural(n, "missing point"))
	}
	if len(parts) == 0 {
		return "## ✅ vllm-bench: no regressions"
	}
	return "## ❌ vllm-bench: " + strings.Join(parts, ", ")
}

// summaryLine counts the points by verdict.
func (r *Report) summaryLine() string {
	var parts []string
	for _, v := range []struct {
		v    stats.Verdict
		word string
	}{
		{stats.Regression, "regressed"}, {stats.Improvement, "improved"}, {stats.Unchanged, "unchanged"},
		{stats.Inconclusive, "inconclusive"}, {stats.New, "new"}, {stats.Failed, "failed"},
		{gate.Missing, "missing"}, {stats.Skipped, "not gated"},
	} {
		if n := r.Count(v.v); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v.word))
		}
	}
	if len(parts) == 0 {
		return "No points to compare."
	}
	return fmt.Sprintf("%s: %s.", plural(len(r.Rows()), "point"), strings.Join(parts, ", "))
}

// gateLines describe the gate settings, one line per run.
func (r *Report) gateLines() []string {
	runs := make([]string, 0, len(r.Gates))
	for run := range r.Gates {
		runs = append(runs, run)
	}
	sort.Strings(runs)
	var lines []string
	for _, run := range runs {
		g := r.Gates[run]
		lines = append(lines, fmt.Sprintf("Gate for `%s`: %s; tolerance %.3g%%, false-discovery rate %.3g.",
			run, strings.Join(g.Metrics, ", "), 100*g.Tolerance, g.Alpha))
	}
	if r.Tests > 0 {
		lines = append(lines, fmt.Sprintf("%s adjusted together (Benjamini-Hochberg); intervals are %.0f%%.", plural(r.Tests, "p-value"), 100*stats.DefaultLevel))
	}
	return append(lines, r.noHistoryLines()...)
}

// noHistoryLines say, per run judged without run-to-run history, what its
// latency verdicts rest on.
func (r *Report) noHistoryLines() []string {
	var lines []string
	for i := 0; i < len(r.NoHistory); {
		run := r.NoHistory[i].Run
		var parts []string
		for ; i < len(r.NoHistory) && r.NoHistory[i].Run == run; i++ {
			a := r.NoHistory[i]
			parts = append(parts, fmt.Sprintf("%.0f%% (%s)", 100*a.Change, a.Metric))
		}
		lines = append(lines, fmt.Sprintf("No run-to-run history yet for `%s` (fewer than %d accepted runs): changes under %s are treated as noise. Each accepted run (`vllm-bench baseline update`) adds history; from %d on, the measured spread replaces these allowances.",
			run, stats.MinPredictionHistory, joinAnd(parts), stats.MinPredictionHistory))
	}
	return lines
}

// joinAnd joins phrases as prose: a, b and c.
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// shown reports whether a row belongs in the main tables.
func shown(row *gate.Row) bool {
	switch row.Verdict {
	case stats.Regression, stats.Improvement, stats.Inconclusive, stats.Skipped:
		return true
	}
	return false
}

// mdGroup renders one server configuration's table of changed points.
func (r *Report) mdGroup(g *gate.Group, limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", serverTitle(g.Server))
	var rows []*gate.Row
	for _, row := range g.Rows {
		if shown(row) {
			rows = append(rows, row)
		}
	}
	rows, hidden := worstFirst(rows, limit)
	counts := groupCounts(g)
	if len(rows) == 0 {
		fmt.Fprintf(&b, "%s.\n\n", counts)
		return b.String()
	}
	header, metrics := tableHeader(rows)
	hints := withHints(rows)
	if hints {
		header = append(header, hintsHeader)
	}
	var cells [][]string
	for _, row := range rows {
		line := []string{row.Point.Label()}
		for _, m := range metrics {
			line = append(line, rowCellText(row, m, true))
		}
		line = append(line, verdictText(row))
		if hints {
			line = append(line, hintText(row))
		}
		cells = append(cells, line)
	}
	b.WriteString(markdownTable(header, cells))
	if hidden > 0 {
		fmt.Fprintf(&b, "\n_%d more changed points not shown to fit the size limit; see the JSON report._\n", hidden)
	}
	fmt.Fprintf(&b, "\n%s.\n\n", counts)
	return b.String()
}

// groupCounts summarises a group's verdicts in one phrase.
func groupCounts(g *gate.Group) string {
	n := map[stats.Verdict]int{}
	for _, row := range g.Rows {
		n[row.Verdict]++
	}
	var parts []string
	for _, v := range []stats.Verdict{stats.Regression, stats.Improvement, stats.Unchanged, stats.Inconclusive, stats.New, stats.Failed, gate.Missing, stats.Skipped} {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	return plural(len(g.Rows), "point") + ": " + strings.Join(parts, ", ")
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

// tableHeader returns the header of a table of rows and the metrics of its
// columns, in the order of the first row that has cells.
func tableHeader(rows []*gate.Row) ([]string, []string) {
	var metrics []string
	seen := map[string]bool{}
	for _, row := range rows {
		for _, c := range row.Cells {
			if !seen[c.Metric] {
				seen[c.Metric] = true
				metrics = append(metrics, c.Metric)
			}
		}
	}
	header := append([]string{"point"}, metrics...)
	return append(header, "verdict"), metrics
}

// rowCellText is the text of a row's cell for metric, "" when it has none.
func rowCellText(row *gate.Row, metric string, withCI bool) string {
	for _, c := range row.Cells {
		if c.Metric == metric {
			return cellText(c, withCI)
		}
	}
	return ""
}

// mdList lists the rows with verdict v, each with a note.
func (r *Report) mdList(title string, v stats.Verdict, limit int, note func(*gate.Row) string) string {
	var lines []string
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.Verdict == v {
				lines = append(lines, fmt.Sprintf("- %s `%s`: %s", mark(v), row.Name, note(row)))
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	total := len(lines)
	if limit >= 0 && limit < total {
		lines = append(lines[:limit], fmt.Sprintf("- … and %d more", total-limit))
	}
	return fmt.Sprintf("### %s (%d)\n\n%s\n\n", title, total, strings.Join(lines, "\n"))
}

// warningCounts returns the distinct caveats of all cells with how many
// cells carry each, most frequent first.
func (r *Report) warningCounts() []string {
	n := map[string]int{}
	for _, row := range r.Rows() {
		for _, c := range row.Cells {
			for _, w := range c.Warnings {
				n[c.Metric+": "+w]++
			}
		}
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if n[keys[i]] != n[keys[j]] {
			return n[keys[i]] > n[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s (%s)", k, plural(n[k], "cell"))
	}
	return out
}

// mdCaveats lists the statistical caveats and the legend of marks.
func (r *Report) mdCaveats() string {
	ws := r.warningCounts()
	var b strings.Builder
	if len(ws) > 0 {
		b.WriteString("### Caveats\n\n")
		const most = 20
		for i, w := range ws {
			if i == most {
				fmt.Fprintf(&b, "- … and %d more\n", len(ws)-most)
				break
			}
			b.WriteString("- " + w + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("<sub>Cells: baseline → current, change [95% interval]. ❌ regression, 🟢 improvement, ❔ inconclusive, ⚠️ not gated, † no test possible (tolerance alone)" + r.throttleLegend() + ".</sub>\n")
	return b.String()
}

// mdDetails renders the collapsed block with every point and metric; with
// full false, only the rows that are not unchanged.
func (r *Report) mdDetails(full bool) string {
	var b strings.Builder
	title := "All points and metrics"
	if !full {
		title = "Changed points, every metric (unchanged points left out to fit)"
	}
	fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n", title)
	for _, g := range r.Groups {
		var rows []*gate.Row
		for _, row := range g.Rows {
			if full || row.Verdict != stats.Unchanged {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "**%s**\n\n", serverTitle(g.Server))
		header, metrics := tableHeader(rows)
		var cells [][]string
		for _, row := range rows {
			line := []string{row.Point.Label()}
			for _, m := range metrics {
				line = append(line, rowCellText(row, m, false))
			}
			cells = append(cells, append(line, string(row.Verdict)))
		}
		b.WriteString(markdownTable(header, cells))
		b.WriteString("\n")
	}
	b.WriteString("</details>\n")
	return b.String()
}
