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
