package dashboard

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// Chart geometry, in SVG user units (pixels at 100 % zoom).
const (
	chartW, chartH = 600.0, 240.0
	padLeft        = 64.0
	padRight       = 16.0
	padTop         = 24.0
	padBottom      = 40.0
	markerR        = 3.0
)

// chart is one metric of one point over the history, drawn as small
// hand-written SVG rather than with gonum.org/v1/plot's vgsvg backend:
// vgsvg cannot wrap a marker in a link or give it a tooltip, so the runs
// could not link to their commits, and it would add plot with its font and
// image modules to the build for a line chart that takes a hundred lines
// here. The SVG is plain elements (polyline, circle, line, text) that every
// browser draws without a script.
type chart struct {
	title   string
	history []trend.RunInfo
	series  trend.Series
}

// svg draws the chart: the series as a line over the runs of the history.
// Every run's marker links to its commit under repoURL
// (when given) and names the run, commit, date and value in a tooltip;
// every change point is a dashed vertical line, red for the worse and green
// for the better, labelled with its size.
func (c chart) svg(repoURL string) string {
	lo, hi := c.valueRange()
	ticks := niceTicks(lo, hi, 4)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	n := len(c.history)
	x := func(run int) float64 {
		if n <= 1 {
			return (padLeft + chartW - padRight) / 2
		}
		return padLeft + (chartW-padLeft-padRight)*float64(run)/float64(n-1)
	}
	y := func(v float64) float64 {
		return chartH - padBottom - (chartH-padTop-padBottom)*(v-lo)/(hi-lo)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-label="%s">`, chartW, chartH, esc(c.title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.title))
	// Axes and grid.
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, padLeft, chartW-padRight, y(t), y(t))
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, padLeft-6, y(t)+4, esc(formatTick(t, ticks)))
	}
	fmt.Fprintf(&b, `<text class="axis" x="12" y="%.1f" transform="rotate(-90 12 %.1f)" text-anchor="middle">%s</text>`,
		(chartH-padBottom+padTop)/2, (chartH-padBottom+padTop)/2, esc(c.series.Unit))
	ticksX := dateTicks(n)
	labels := tickLabels(c.history, ticksX)
	for k, i := range ticksX {
		anchor := "middle"
		switch {
		case len(ticksX) > 1 && k == 0:
			anchor = "start"
		case len(ticksX) > 1 && k == len(ticksX)-1:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x(i), chartH-padBottom+16, anchor, esc(labels[k]))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">run (%d in the history)</text>`, (padLeft+chartW-padRight)/2, chartH-6, n)
	// Change points, behind the line.
	s := c.series
	for _, sh := range s.Shifts {
		xm := (x(sh.LastBefore.Index) + x(sh.FirstAfter.Index)) / 2
		cls := "change-point improvement"
		if sh.Regression {
			cls = "change-point regression"
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
			cls, esc(shiftTitle(s, sh)), xm, xm, padTop, chartH-padBottom, xm, padTop-8, esc(trend.FormatChange(sh.Change)))
	}
	// The series, its runs as linked markers.
	var pts []string
	for _, v := range s.Values {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(v.Run), y(v.Value)))
	}
	fmt.Fprintf(&b, `<polyline class="series" points="%s"/>`, strings.Join(pts, " "))
	for _, v := range s.Values {
		run := c.history[v.Run]
		marker := fmt.Sprintf(`<circle class="run" cx="%.1f" cy="%.1f" r="%g"><title>%s</title></circle>`,
			x(v.Run), y(v.Value), markerR, esc(runTitle(s, run, v)))
		if link := commitURL(repoURL, run.SHA); link != "" {
			marker = fmt.Sprintf(`<a href="%s" target="_blank" rel="noopener">%s</a>`, esc(link), marker)
		}
		b.WriteString(marker)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// minRelativeSpan is the smallest value range of a chart relative to its
// values: at least ±5 % around them, so 1 % run-to-run noise does not fill
// the chart and look like a trend.
const minRelativeSpan = 0.10

// valueRange returns the smallest and largest value of the series, widened
// by a margin and to at least minRelativeSpan of their mean.
func (c chart) valueRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range c.series.Values {
		lo, hi = math.Min(lo, v.Value), math.Max(hi, v.Value)
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	mid := (lo + hi) / 2
	if span := math.Max(math.Abs(mid)*minRelativeSpan, 1e-9); hi-lo < span {
		lo, hi = mid-span/2, mid+span/2
	}
	return lo, hi
}

// niceTicks returns about count round tick values (steps of 1, 2, 2.5 or 5
// times a power of ten) from at or below lo to at or above hi.
func niceTicks(lo, hi float64, count int) []float64 {
	raw := (hi - lo) / float64(count)
	if !(raw > 0) || math.IsInf(raw, 0) {
		return []float64{lo, hi}
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	first, last := math.Floor(lo/step), math.Ceil(hi/step)
	out := make([]float64, 0, int(last-first)+1)
	for k := first; k <= last; k++ {
		out = append(out, k*step)
	}
	return out
}

// formatTick prints a tick with as many decimals as the step needs.
func formatTick(v float64, ticks []float64) string {
	step := math.Abs(ticks[1] - ticks[0])
	decimals := 0
	for ; decimals < 6; decimals++ {
		scaled := step * math.Pow(10, float64(decimals))
		if math.Abs(scaled-math.Round(scaled)) < 1e-6*math.Max(1, scaled) {
			break
		}
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

// dateTicks returns the runs whose dates label the x axis: the first, the
// last and up to two between.
func dateTicks(n int) []int {
	switch {
	case n <= 0:
		return nil
	case n == 1:
		return []int{0}
	case n < 8:
		return []int{0, n - 1}
	}
	return []int{0, (n - 1) / 3, 2 * (n - 1) / 3, n - 1}
}

// tickLabels labels the x-axis ticks with their runs' dates, or with the
// runs' numbers (#1, #5, ...) when dates repeat (several runs a day).
func tickLabels(history []trend.RunInfo, ticks []int) []string {
	labels := make([]string, len(ticks))
	seen := map[string]bool{}
	distinct := true
	for k, i := range ticks {
		labels[k] = trend.Day(history[i].Date)
		distinct = distinct && !seen[labels[k]]
		seen[labels[k]] = true
	}
	if !distinct {
		for k, i := range ticks {
			labels[k] = fmt.Sprintf("#%d", i+1)
		}
	}
	return labels
}

// esc escapes text for HTML and SVG text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// runTitle is the tooltip of one run's marker.
func runTitle(s trend.Series, run trend.RunInfo, v trend.Value) string {
	t := fmt.Sprintf("run %d · %s · %s · %s: %s %s", run.Index+1, trend.ShortSHA(run.SHA), trend.Day(run.Date), s.Label, trend.FormatValue(v.Value), s.Unit)
	if v.Spread > 0 {
		t += fmt.Sprintf(" (spread %s)", trend.FormatValue(v.Spread))
	}
	return t
}

// shiftTitle is the tooltip of a change point.
func shiftTitle(s trend.Series, sh trend.Shift) string {
	return fmt.Sprintf("%s %s: change point %s (%s to %s %s), first run after %s (%s), commits %s..%s, p %.3f",
		s.Label, s.Metric, trend.FormatChange(sh.Change), trend.FormatValue(sh.Before), trend.FormatValue(sh.After), s.Unit,
		trend.ShortSHA(sh.FirstAfter.SHA), trend.Day(sh.FirstAfter.Date), trend.ShortSHA(sh.LastBefore.SHA), trend.ShortSHA(sh.FirstAfter.SHA), sh.P)
}
