package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// MaxMarkdownBytes bounds Markdown's output. GitHub caps a comment at 65,536
// characters; the margin leaves room for the github stage's marker and
// header. The report summarises (fewer rows, then no details) to fit, and
// never cuts a table in the middle.
const MaxMarkdownBytes = 60000

// Markdown renders the report for the job summary and the PR comment, the
// answer first: a headline that names what failed and a line on what the
// verdict rests on; then charts of what changed; then, per server
// configuration, a table of the points that did not stay unchanged; and a
// collapsed block with every point, metric, interval and p-value. It stays
// under MaxMarkdownBytes.
func (r *Report) Markdown() string {
	l := r.labeler()
	answer := r.mdAnswer(l)
	var tables string
	for _, limit := range []int{-1, 40, 10, 3, 0} {
		tables = r.mdTables(l, limit)
		if len(answer)+len(tables) <= MaxMarkdownBytes*2/3 {
			break
		}
	}
	out := answer
	if charts := r.mdCharts(l); charts != "" && len(answer)+len(charts)+len(tables) <= MaxMarkdownBytes*3/4 {
		out += charts
	}
	out += tables + r.mdSuspect(l)
	for _, full := range []bool{true, false} {
		if d := r.mdDetails(l, full); len(out)+len(d) <= MaxMarkdownBytes {
			return out + d
		}
	}
	return out + "_The per-metric details were left out to fit GitHub's size limit; run `vllm-bench compare --format text` or `--format json` for every value._\n"
}

// labeler names the report's points by what differs between them.
func (r *Report) labeler() labeler {
	var points []sweep.Point
	for _, row := range r.Rows() {
		points = append(points, row.Point)
	}
	return newLabeler(points)
}

// mdAnswer is the headline, the lines that complete it and the paragraph
// under them.
func (r *Report) mdAnswer(l labeler) string {
	head := r.headlines(l)
	top := "## " + head[0] + r.pairedTitle() + "\n\n"
	if len(head) > 1 {
		top += strings.Join(head[1:], "  \n") + "\n\n"
	}
	vs, _ := r.verdictsPresent()
	if len(vs) <= 1 {
		// The headline has already counted the points.
		return top + strings.Join(withNote(append(r.suspectSummary(), r.restsOn()), r.notMeasured()), "  \n") + "\n\n"
	}
	lines := []string{r.summaryLine()}
	if w := r.waivedLine(); w != "" {
		lines = append(lines, w)
	}
	lines = append(lines, r.suspectSummary()...)
	return top + strings.Join(withNote(append(lines, r.restsOn()), r.notMeasured()), "  \n") + "\n\n"
}

// withNote appends note to lines unless it is empty.
func withNote(lines []string, note string) []string {
	if note == "" {
		return lines
	}
	return append(lines, note)
}

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

// summaryLine counts the points by verdict, in the words the tables use.
func (r *Report) summaryLine() string {
	vs, n := r.verdictsPresent()
	if len(vs) == 0 {
		return "No points to compare."
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = countOf(n[v], v)
	}
	return fmt.Sprintf("%s: %s.", plural(len(r.Rows()), "point"), strings.Join(parts, ", "))
}

// countOf counts points with a verdict in the verdict's words: "1
// regression", "2 improvements", "3 unchanged", "1 not gated".
func countOf(n int, v stats.Verdict) string {
	switch v {
	case stats.Regression, stats.Improvement:
		return plural(n, string(v))
	}
	return fmt.Sprintf("%d %s", n, verdictWord(v))
}

// testWords names the parts of a cell's Test for people.
func testWords() map[string]string {
	return map[string]string{
		"mann-whitney":  "Mann-Whitney U on requests",
		"repeats":       "Welch's t on repeats",
		"welch":         "Welch's t on repeats",
		"history":       "the spread of the history",
		"prediction":    "the spread of the history",
		"tolerance":     "the tolerance alone",
		gate.TestPaired: "a paired t over the rounds",
	}
}

// restsOn says in one line what the verdicts rest on: the metrics, the
// tests, the false-discovery rate and tolerance, and the most common caveat.
func (r *Report) restsOn() string {
	var tests []string
	seen := map[string]bool{}
	words := testWords()
	for _, row := range r.Rows() {
		for _, c := range row.Cells {
			for _, part := range strings.Split(c.Test, "+") {
				w := words[part]
				if w == "" {
					w = part
				}
				if part != "" && !seen[w] {
					seen[w] = true
					tests = append(tests, w)
				}
			}
		}
	}
	var metrics, settings []string
	seenMetric := map[string]bool{}
	for _, run := range r.runs() {
		g := r.Gates[run]
		for _, m := range g.Metrics {
			if !seenMetric[m] {
				seenMetric[m] = true
				metrics = append(metrics, metricTitle(m))
			}
		}
		s := fmt.Sprintf("tolerance %.3g%%, false-discovery rate %.3g", 100*g.Tolerance, g.Alpha)
		if len(r.Gates) > 1 {
			s += " for " + run
		}
		settings = append(settings, s)
	}
	var b strings.Builder
	b.WriteString("Rests on ")
	if r.Tests > 0 {
		b.WriteString(plural(r.Tests, "test") + " of ")
	}
	if len(metrics) > 0 {
		b.WriteString(joinWords(metrics))
	} else {
		b.WriteString("the gated metrics")
	}
	var how []string
	if len(tests) > 0 {
		how = append(how, joinWords(tests))
	}
	if how = append(how, settings...); len(how) > 0 {
		b.WriteString(" (" + strings.Join(how, "; ") + ")")
	}
	b.WriteString(".")
	if r.Paired != nil {
		b.WriteString(" " + r.pairedLine())
	}
	if r.PartialSettings > 0 {
		fmt.Fprintf(&b, " Settings checked in part for %s (a file predates recorded measurement settings: engine, layout, endpoint, warmup, repeats and the point compared; model, dtype and the rest not).",
			plural(r.PartialSettings, "point"))
	}
	if allowances := r.allowances(); allowances != "" {
		b.WriteString(" " + allowances)
	} else if ws := r.warningCounts(); len(ws) > 0 {
		b.WriteString(" " + upperFirst(ws[0].text) + ".")
	}
	return b.String()
}

// allowances says in one sentence which changes count as noise for want of
// run-to-run history, "" when every run has history.
func (r *Report) allowances() string {
	if len(r.NoHistory) == 0 {
		return ""
	}
	var parts []string
	runs := map[string]bool{}
	for _, a := range r.NoHistory {
		runs[a.Run] = true
	}
	for _, a := range r.NoHistory {
		p := fmt.Sprintf("%.0f%% (%s", 100*a.Change, metricTitle(a.Metric))
		if len(runs) > 1 {
			p += ", " + a.Run
		}
		parts = append(parts, p+")")
	}
	return fmt.Sprintf("No run-to-run history yet (fewer than %d accepted runs): changes under %s count as noise.",
		stats.MinPredictionHistory, joinWords(parts))
}

// runs returns the run names of the gate settings, sorted.
func (r *Report) runs() []string {
	runs := make([]string, 0, len(r.Gates))
	for run := range r.Gates {
		runs = append(runs, run)
	}
	sort.Strings(runs)
	return runs
}

// mdCharts renders the charts of what changed, at most MaxCharts.
func (r *Report) mdCharts(l labeler) string {
	all := r.charts(l)
	if len(all) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### What changed\n\n")
	for i, ch := range all {
		if i == MaxCharts {
			fmt.Fprintf(&b, "_%d more charts not drawn._\n\n", len(all)-MaxCharts)
			break
		}
		b.WriteString(ch.mermaid())
	}
	return b.String()
}

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
		metrics, units := tableMetrics(tabled)
		header := []string{"point"}
		for i, m := range metrics {
			header = append(header, metricHeading(m, units[i]))
		}
		var cells [][]string
		for _, row := range tabled {
			name := strings.TrimSpace(mark(row.Verdict) + " " + l.row(row.Point))
			if row.Throttled != "" {
				name += " " + throttledMark
				used.suspect = true
			}
			if row.Suspect != "" {
				name += " " + suspectMark
				used.suspectCell = true
			}
			line := []string{name}
			for _, m := range metrics {
				line = append(line, shortCell(cellOf(row, m), used))
			}
			cells = append(cells, line)
		}
		b.WriteString(markdownTable(header, cells) + "\n")
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "_%d more points not shown to fit the size limit; see the JSON report._\n\n", hidden)
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

// shortCell is a main-table cell: baseline → current and change, with the
// mark of a cell that changed; the unit is in the column heading and the
// interval in the details. It records the marks it uses.
func shortCell(c *gate.Cell, used *marks) string {
	if c == nil {
		return "—"
	}
	if c.Verdict == stats.New {
		return "— → " + fmtValue(c.Cur)
	}
	s := fmt.Sprintf("%s → %s %s", fmtValue(c.Base), fmtValue(c.Cur), fmtPct(c.Change))
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
	if len(parts) == 0 {
		return ""
	}
	return "<sub>" + strings.Join(parts, " · ") + ". Cells: baseline → this run, change.</sub>\n\n"
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

// warning is one distinct caveat with the metrics and cells it concerns.
type warning struct {
	text    string
	metrics []string
	cells   int
}

// warningCounts returns the distinct caveats of all cells, most frequent
// first.
func (r *Report) warningCounts() []warning {
	byText := map[string]*warning{}
	for _, row := range r.Rows() {
		for _, c := range row.Cells {
			for _, w := range c.Warnings {
				e := byText[w]
				if e == nil {
					e = &warning{text: w}
					byText[w] = e
				}
				e.cells++
				if !slices.Contains(e.metrics, metricTitle(c.Metric)) {
					e.metrics = append(e.metrics, metricTitle(c.Metric))
				}
			}
		}
	}
	out := make([]warning, 0, len(byText))
	for _, w := range byText {
		out = append(out, *w)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].cells != out[j].cells {
			return out[i].cells > out[j].cells
		}
		return out[i].text < out[j].text
	})
	return out
}

// String is the caveat with what it concerns.
func (w warning) String() string {
	return fmt.Sprintf("%s (%s; %s)", w.text, joinWords(w.metrics), plural(w.cells, "cell"))
}

// mdDetails renders the collapsed block: per server configuration one row
// per point and metric with the interval and adjusted p-value, then every
// caveat. With full false, unchanged points are left out.
func (r *Report) mdDetails(l labeler, full bool) string {
	var b strings.Builder
	title := "Every point and metric, with intervals and p-values"
	if !full {
		title = "Points that did not stay unchanged, with intervals and p-values (the rest left out to fit)"
	}
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", title)
	header := []string{"point", "metric", "baseline", "this run", "change", r.intervalHeading(), "p (adj)", "tolerance", "detectable", "verdict"}
	for _, g := range r.Groups {
		var cells [][]string
		for _, row := range g.Rows {
			if !full && row.Verdict == stats.Unchanged {
				continue
			}
			if len(row.Cells) == 0 {
				cells = append(cells, []string{l.row(row.Point), "", "", "", "", "", "", "", "", verdictWord(row.Verdict)})
				continue
			}
			for _, c := range row.Cells {
				verdict := verdictWord(c.Verdict)
				if c.Test == gate.TestTolerance && c.Verdict != stats.Skipped {
					verdict += " †"
				}
				if c.Suspect {
					verdict += " " + suspectMark
				}
				cells = append(cells, []string{
					l.row(row.Point), metricTitle(c.Metric), fmtValue(c.Base), fmtValue(c.Cur) + " " + c.Unit,
					fmtPct(c.Change), fmtCI(verdictInterval(c)), fmtP(c.PAdj), fmtTolerance(c), fmtDetectable(c.Detectable), verdict,
				})
			}
		}
		if len(cells) == 0 {
			continue
		}
		fmt.Fprintf(&b, "**%s**\n\n", l.heading(g.Server))
		b.WriteString(markdownTable(header, cells))
		b.WriteString("\n")
	}
	if ws := r.warningCounts(); len(ws) > 0 {
		b.WriteString("**Caveats**\n\n")
		const most = 20
		for i, w := range ws {
			if i == most {
				fmt.Fprintf(&b, "- … and %d more\n", len(ws)-most)
				break
			}
			b.WriteString("- " + w.String() + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("</details>\n")
	return b.String()
}
