package trend

import (
	"fmt"
	"strconv"
	"strings"
)

// Chart limits of the markdown report.
const (
	// MaxCharts is the most mermaid trend charts a markdown report draws.
	MaxCharts = 12
	// MaxChartRuns is the most runs (the newest) a mermaid chart shows.
	MaxChartRuns = 60
	// MaxChartLines is the most points one chart draws as lines.
	MaxChartLines = 8
)

// Markdown renders the analysis for a job summary: the headline, per run a
// table of change points (commits linked when repoURL, e.g.
// https://github.com/owner/repo, is given) and a mermaid trend chart per
// gated metric.
func (a *Analysis) Markdown(repoURL string) string {
	var b strings.Builder
	b.WriteString("## " + strings.Replace(a.Headline(), "trend: ", "Trend: ", 1) + "\n\n")
	if len(a.Runs) == 0 {
		b.WriteString("No run has a history yet: accept runs with `vllm-bench baseline update` (the nightly workflow does, once per night).\n")
		return b.String()
	}
	b.WriteString(a.Method() + ".\n")
	charts, chartsLeft := 0, false
	for _, r := range a.Runs {
		fmt.Fprintf(&b, "\n### %s\n\n%s.\n\n", r.Name, r.Span())
		rows := 0
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				if rows == 0 {
					b.WriteString("| server | point | metric | change | 95% CI | before → after | first run after | commits to bisect | p |\n")
					b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
				}
				rows++
				mark := ":green_circle:"
				if sh.Regression {
					mark = ":red_circle:"
				}
				if sh.New {
					mark += " new"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s %s | %s | %s → %s %s | %s %s | %s | %.3f |\n",
					s.Server, s.Label, s.Metric, mark, FormatChange(sh.Change), ci(sh.CI.Lo, sh.CI.Hi),
					FormatValue(sh.Before), FormatValue(sh.After), s.Unit,
					commitLink(repoURL, sh.FirstAfter.SHA), Day(sh.FirstAfter.Date),
					compareLink(repoURL, sh.LastBefore.SHA, sh.FirstAfter.SHA), sh.P)
			}
		}
		if rows == 0 {
			fmt.Fprintf(&b, "No change point in %s.\n", plural(len(r.Series), "series"))
		}
		for _, c := range r.charts() {
			if charts == MaxCharts {
				chartsLeft = true
				break
			}
			charts++
			b.WriteString("\n" + c)
		}
	}
	if chartsLeft {
		b.WriteString("\n_More charts are on the dashboard (`vllm-bench dashboard`)._\n")
	}
	return b.String()
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

// charts returns one mermaid xychart per metric of the run: a line per
// point over the newest MaxChartRuns runs, change points named in the
// title. A point that misses a run repeats its previous value there.
func (r Run) charts() []string {
	if len(r.History) < 2 {
		return nil
	}
	first := max(0, len(r.History)-MaxChartRuns)
	var metrics []string
	byMetric := map[string][]Series{}
	for _, s := range r.Series {
		if _, ok := byMetric[s.Metric]; !ok {
			metrics = append(metrics, s.Metric)
		}
		byMetric[s.Metric] = append(byMetric[s.Metric], s)
	}
	var out []string
	for _, m := range metrics {
		series := byMetric[m]
		var b strings.Builder
		b.WriteString("```mermaid\nxychart-beta\n")
		title := fmt.Sprintf("%s · %s (%s)", r.Name, m, series[0].Unit)
		var changes []string
		for _, s := range series {
			for _, sh := range s.Shifts {
				changes = append(changes, fmt.Sprintf("%s at run %d", FormatChange(sh.Change), sh.FirstAfter.Index+1))
			}
		}
		if len(changes) > 0 {
			title += " · change " + strings.Join(changes, ", ")
		}
		fmt.Fprintf(&b, "    title \"%s\"\n", strings.ReplaceAll(title, "\"", "'"))
		xs := make([]string, 0, len(r.History)-first)
		for i := first; i < len(r.History); i++ {
			xs = append(xs, strconv.Itoa(i+1))
		}
		fmt.Fprintf(&b, "    x-axis \"run\" [%s]\n", strings.Join(xs, ", "))
		fmt.Fprintf(&b, "    y-axis \"%s\"\n", series[0].Unit)
		for k, s := range series {
			if k == MaxChartLines {
				break
			}
			fmt.Fprintf(&b, "    line [%s]\n", strings.Join(filled(s.Values, first, len(r.History)), ", "))
		}
		b.WriteString("```\n")
		if len(series) > 1 {
			var legend []string
			for k, s := range series {
				if k == MaxChartLines {
					legend = append(legend, fmt.Sprintf("%d more not drawn", len(series)-MaxChartLines))
					break
				}
				legend = append(legend, fmt.Sprintf("%d: %s %s", k+1, s.Server, s.Label))
			}
			b.WriteString("\nLines: " + strings.Join(legend, "; ") + ".\n")
		}
		out = append(out, b.String())
	}
	return out
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
