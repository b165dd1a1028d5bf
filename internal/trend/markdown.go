package trend

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart limits of the markdown report.
const (
	// MaxCharts is the most mermaid trend charts a markdown report draws.
	MaxCharts = 12
	// MaxChartRuns is the most runs (the newest) a mermaid chart shows.
	MaxChartRuns = 60
)

// Markdown renders the analysis for a job summary: the headline, per run a
// table of change points (commits linked when repoURL, e.g.
// https://github.com/owner/repo, is given) and mermaid trend charts, those
// of the series with a change point first.
func (a *Analysis) Markdown(repoURL string) string {
	var b strings.Builder
	b.WriteString("## " + strings.Replace(a.Headline(), "trend: ", "Trend: ", 1) + "\n\n")
	if len(a.Runs) == 0 {
		b.WriteString("No run has a history yet: accept runs with `vllm-bench baseline update` (the nightly workflow does, once per night).\n")
		return b.String()
	}
	b.WriteString(a.Method() + ".\n")
	drawn := a.chartedSeries()
	charts, chartsLeft := 0, false
	for ri, r := range a.Runs {
		fmt.Fprintf(&b, "\n### %s\n\n%s.\n\n", r.Name, r.Span())
		if ds := r.Decisions(); len(ds) > 0 {
			for _, d := range ds {
				fmt.Fprintf(&b, "- %s%s\n", strings.ToUpper(d[:1]), d[1:])
			}
			b.WriteString("\n")
		}
		rows := 0
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				if rows == 0 {
					b.WriteString("| server | point | metric | change | 95% CI | before → after | first changed run | bisect | p |\n")
					b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
				}
				rows++
				mark := ":green_circle: better"
				if sh.Regression {
					mark = ":red_circle: worse"
				}
				if sh.New {
					mark += ", new"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s %s | %s | %s → %s %s | %s %s | %s | %.3f |\n",
					s.Server, s.Label, MetricTitle(s.Metric), FormatChange(sh.Change), mark, ci(sh.CI.Lo, sh.CI.Hi),
					FormatValue(sh.Before), FormatValue(sh.After), s.Unit,
					commitLink(repoURL, sh.FirstAfter.SHA), Day(sh.FirstAfter.Date),
					compareLink(repoURL, sh.LastBefore.SHA, sh.FirstAfter.SHA), sh.P)
			}
		}
		if rows == 0 {
			fmt.Fprintf(&b, "No change point in %s.\n", plural(len(r.Series), "series"))
		}
		if len(r.History) < 2 {
			continue
		}
		for _, changed := range []bool{true, false} {
			for si, s := range r.Series {
				switch {
				case (len(s.Shifts) > 0) != changed:
				case drawn[[2]int{ri, si}]:
					charts++
					b.WriteString("\n" + r.chart(s))
				case len(s.Values) > 0:
					chartsLeft = true
				}
			}
		}
	}
	if chartsLeft {
		fmt.Fprintf(&b, "\n_%d charts are drawn here, those with a change point first; the charts of every series are on the dashboard (`vllm-bench dashboard`)._\n", charts)
	}
	return b.String()
}

// chartedSeries chooses the series the markdown charts, by run and series
// index: those with a change point first, then the rest in report order,
// MaxCharts in all. Runs with fewer than two runs in their history draw
// none.
func (a *Analysis) chartedSeries() map[[2]int]bool {
	out := map[[2]int]bool{}
	for _, changed := range []bool{true, false} {
		for ri, r := range a.Runs {
			if len(r.History) < 2 {
				continue
			}
			for si, s := range r.Series {
				if len(out) == MaxCharts {
					return out
				}
				if (len(s.Shifts) > 0) == changed && len(s.Values) > 0 {
					out[[2]int{ri, si}] = true
				}
			}
		}
	}
	return out
}

// commitLink returns a markdown link to a commit, or the short hash alone.
func commitLink(repoURL, sha string) string {
	if repoURL == "" || sha == "" {
		return "`" + ShortSHA(sha) + "`"
	}
	return fmt.Sprintf("[`%s`](%s/commit/%s)", ShortSHA(sha), repoURL, sha)
}

// compareLink returns a markdown link to the commits between two runs.
func compareLink(repoURL, from, to string) string {
	text := "`" + ShortSHA(from) + ".." + ShortSHA(to) + "`"
	if repoURL == "" || from == "" || to == "" {
		return text
	}
	return fmt.Sprintf("[%s](%s/compare/%s...%s)", text, repoURL, from, to)
}

// Mermaid chart size in pixels: the PR comment's width, and tall enough
// that the up to 15 y-axis labels mermaid picks do not overlap.
const (
	chartWidthPx  = 720
	chartHeightPx = 300
)

// chart returns a mermaid xychart of one series of the run over its newest
// MaxChartRuns runs: the runs in blue, the level (each segment's mean) in
// orange, on a y-axis that spans the values (ChartRange) rather than
// starting at zero, and under it the key and the change points in words.
// A run that misses the point repeats its previous value.
func (r Run) chart(s Series) string {
	first := max(0, len(r.History)-MaxChartRuns)
	var b strings.Builder
	b.WriteString("```mermaid\n")
	fmt.Fprintf(&b, `%%%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "%s, %s"}}, `+
		`"xyChart": {"width": %d, "height": %d, "showLegend": true, "titleFontSize": 16, `+
		`"xAxis": {"labelFontSize": 12, "titleFontSize": 13}, "yAxis": {"labelFontSize": 11, "titleFontSize": 13}}}}%%%%`+"\n",
		RunColour, LevelColour, chartWidthPx, chartHeightPx)
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title %s\n", mermaidString(strings.TrimSpace(s.Server+" "+s.Label)+" · "+s.Title()))
	xs := make([]string, 0, len(r.History)-first)
	for i := first; i < len(r.History); i++ {
		xs = append(xs, strconv.Itoa(i+1))
	}
	fmt.Fprintf(&b, "    x-axis \"run\" [%s]\n", strings.Join(xs, ", "))
	shown := s.Values
	for len(shown) > 0 && shown[0].Run < first {
		shown = shown[1:]
	}
	lo, hi := ChartRange(shown)
	unit := s.Unit
	if unit == "" {
		unit = "value"
	}
	fmt.Fprintf(&b, "    y-axis %s %s --> %s\n", mermaidString(unit), axisNumber(lo), axisNumber(hi))
	fmt.Fprintf(&b, "    line \"runs\" [%s]\n", strings.Join(filled(s.Values, first, len(r.History)), ", "))
	fmt.Fprintf(&b, "    line \"level\" [%s]\n", strings.Join(filled(levels(s), first, len(r.History)), ", "))
	b.WriteString("```\n\n")
	key := ChartKey
	for _, sh := range s.Shifts {
		key += fmt.Sprintf(" %s (%s) at run %d, %s.", FormatChange(sh.Change), word(sh), sh.FirstAfter.Index+1, sh.FirstChanged())
	}
	fmt.Fprintf(&b, "<sub>%s</sub>\n", key)
	return b.String()
}

// word is a shift's direction in one word.
func word(sh Shift) string {
	if sh.Regression {
		return "worse"
	}
	return "better"
}

// levels returns the series with each value replaced by its segment's
// mean: the orange step line.
func levels(s Series) []Value {
	out := make([]Value, len(s.Values))
	for _, seg := range s.Segments() {
		for i := seg.From; i < seg.To; i++ {
			out[i] = Value{Run: s.Values[i].Run, Value: seg.Mean}
		}
	}
	return out
}

// mermaidString quotes text for a mermaid directive.
func mermaidString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`
}

// axisNumber prints an axis end with four significant digits.
func axisNumber(v float64) string {
	return strconv.FormatFloat(roundTo(v, 4), 'f', -1, 64)
}

// minRelativeSpan is the smallest value range of a chart relative to its
// values' middle: at least ±5 % around them, so that 1 % run-to-run noise
// does not fill the chart and look like a trend.
const minRelativeSpan = 0.10

// ChartRange returns the y-axis range of a trend chart of vals: from their
// smallest to their largest value with a margin of a tenth of that span on
// each side, widened to at least minRelativeSpan of their middle; not from
// zero, so that a change of a few per cent is a visible step.
func ChartRange(vals []Value) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, v.Value), math.Max(hi, v.Value)
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	pad := (hi - lo) * 0.10
	lo, hi = lo-pad, hi+pad
	mid := (lo + hi) / 2
	if span := math.Max(math.Abs(mid)*minRelativeSpan, 1e-9); hi-lo < span {
		lo, hi = mid-span/2, mid+span/2
	}
	return lo, hi
}

// filled returns the values of runs [first, n) as text, a run the series
// lacks taking the previous value (or the next one at the start).
func filled(vals []Value, first, n int) []string {
	byRun := map[int]float64{}
	for _, v := range vals {
		byRun[v.Run] = v.Value
	}
	out := make([]string, 0, n-first)
	last, have := 0.0, false
	for _, v := range vals {
		if v.Run >= first {
			if !have {
				last, have = v.Value, true
			}
			break
		}
		last, have = v.Value, true
	}
	for i := first; i < n; i++ {
		if v, ok := byRun[i]; ok {
			last, have = v, true
		}
		if !have {
			continue
		}
		out = append(out, strconv.FormatFloat(roundTo(last, 4), 'f', -1, 64))
	}
	return out
}

// roundTo rounds v to digits significant digits.
func roundTo(v float64, digits int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		return v
	}
	return r
}
