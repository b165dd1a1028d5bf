package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

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

// detailLevel says which rows the collapsed block holds.
type detailLevel int

// The detail levels, from all to the fewest rows.
const (
	// everyCell: every point and metric.
	everyCell detailLevel = iota
	// shownPoints: the points that did not stay unchanged.
	shownPoints
	// changedCells: the regressed and improved cells and the points
	// without cells (failed, missing).
	changedCells
)

// keeps reports whether a cell's row belongs at the level.
func (d detailLevel) keeps(row *gate.Row, c *gate.Cell) bool {
	switch d {
	case shownPoints:
		return shown(row)
	case changedCells:
		return c == nil && shown(row) || c != nil && changed(c.Verdict)
	}
	return true
}

// title is the collapsed block's summary line at the level.
func (d detailLevel) title() string {
	switch d {
	case shownPoints:
		return "Points that did not stay unchanged, with intervals and p-values (the rest left out to fit)"
	case changedCells:
		return "Regressions and improvements, with intervals and p-values (the rest left out to fit)"
	}
	return "Every point and metric, with intervals and p-values"
}

// mdDetails renders the collapsed block: per server configuration one row
// per point and metric with the interval and adjusted p-value, as many as
// the level keeps, then every caveat.
func (r *Report) mdDetails(l labeler, level detailLevel) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", level.title())
	header := []string{"point", "metric", "baseline", "this run", "change", r.intervalHeading(), "p (adj)", "tolerance", "detectable", "verdict"}
	for _, g := range r.Groups {
		var cells [][]string
		for _, row := range g.Rows {
			if len(row.Cells) == 0 && level.keeps(row, nil) {
				cells = append(cells, []string{l.row(row.Point), "", "", "", "", "", "", "", "", verdictWord(row.Verdict)})
				continue
			}
			for _, c := range row.Cells {
				if !level.keeps(row, c) {
					continue
				}
				verdict := verdictWord(c.Verdict)
				if c.Test == gate.TestTolerance && c.Verdict != stats.Skipped {
					verdict += " †"
				}
				if c.Suspect {
					verdict += " " + suspectMark
				}
				cells = append(cells, []string{
					l.row(row.Point), metricTitle(c.Metric), fmtValue(c.Base), fmtValue(c.Cur) + " " + c.Unit,
					fmtPct(c.Change), fmtCI(verdictInterval(c)), fmtP(c.PAdj), fmtTolerance(c), fmtDetectable(c), verdict,
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
