package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

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
