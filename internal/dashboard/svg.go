package dashboard

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"

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
// here. The SVG is plain elements (polyline, circle, line, rect, text) that
// every browser draws without a script.
type chart struct {
	title   string
	history []trend.RunInfo
	series  trend.Series
}

// svg draws the chart over the runs' dates: the runs as a blue line whose
// markers link to their commits under repoURL (when given) and name the
// commit, date and value in a tooltip; the level of each segment between
// change points as an orange line; the noise band of the newest level as a
// grey band; every change point as a dashed vertical line labelled with
// its size and direction. The y-axis spans the values (trend.ChartRange),
// not from zero, so that a change of a few per cent is a visible step.
func (c chart) svg(repoURL string) string {
	s := c.series
	level, hasLevel := s.Level(c.history, len(c.history)-1)
	bandLo, bandHi, hasBand := level.Band()
	hasBand = hasLevel && hasBand
	lo, hi := trend.ChartRange(s.Values)
	if hasBand {
		lo, hi = math.Min(lo, bandLo), math.Max(hi, bandHi)
	}
	ticks := niceTicks(lo, hi, 4)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	xa := newTimeAxis(c.history, padLeft, chartW-padRight)
	x := xa.x
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
		(chartH-padBottom+padTop)/2, (chartH-padBottom+padTop)/2, esc(s.Unit))
	for _, t := range xa.ticks {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, t.x, chartH-padBottom+16, t.anchor, esc(t.label))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, (padLeft+chartW-padRight)/2, chartH-6, esc(xa.title))
	// The noise band of the newest level, behind everything else.
	if hasBand {
		x0, x1 := x(level.Since.Index), x(level.Newest.Run)
		top, bottom := y(math.Min(bandHi, hi)), y(math.Max(bandLo, lo))
		fmt.Fprintf(&b, `<rect class="band" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`,
			x0, top, math.Max(x1-x0, 2*markerR), math.Max(bottom-top, 1), esc(bandTitle(s, level, bandLo, bandHi)))
	}
	// Runs accepted on purpose: a dotted line with who and why on hover.
	for _, run := range c.history {
		if !run.Accepted() {
			continue
		}
		xa := x(run.Index)
		fmt.Fprintf(&b, `<g class="accepted"><title>%s</title><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text x="%.1f" y="%.1f" text-anchor="%s">accepted</text></g>`,
			esc(acceptedTitle(run)), xa, xa, padTop, chartH-padBottom, xa, chartH-padBottom-4, labelAnchor(xa))
	}
	// Change points.
	for _, sh := range s.Shifts {
		xm := (x(sh.LastBefore.Index) + x(sh.FirstAfter.Index)) / 2
		cls := "change-point improvement"
		if sh.Regression {
			cls = "change-point regression"
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text x="%.1f" y="%.1f" text-anchor="%s">%s %s</text></g>`,
			cls, esc(shiftTitle(s, sh)), xm, xm, padTop, chartH-padBottom, xm, padTop-8, labelAnchor(xm), esc(trend.FormatChange(sh.Change)), direction(sh))
	}
	// The level of each segment.
	for _, seg := range s.Segments() {
		x0, x1 := x(s.Values[seg.From].Run), x(s.Values[seg.To-1].Run)
		if x1-x0 < 2*markerR {
			x0, x1 = x0-2*markerR, x1+2*markerR
		}
		fmt.Fprintf(&b, `<line class="level" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>%s</title></line>`,
			x0, x1, y(seg.Mean), y(seg.Mean), esc(segmentTitle(s, c.history, seg)))
	}
	// The series, its runs as linked markers.
	var pts []string
	for _, v := range s.Values {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(v.Run), y(v.Value)))
	}
	fmt.Fprintf(&b, `<polyline class="series" points="%s"/>`, strings.Join(pts, " "))
	for _, v := range s.Values {
		run := c.history[v.Run]
		cls := "run"
		if run.FailedGate() {
			cls = "run gate-failed" // a hollow marker: on record, not the reference
		}
		marker := fmt.Sprintf(`<circle class="%s" cx="%.1f" cy="%.1f" r="%g"><title>%s</title></circle>`,
			cls, x(v.Run), y(v.Value), markerR, esc(runTitle(s, run, v)))
		if link := commitURL(repoURL, run.SHA); link != "" {
			marker = fmt.Sprintf(`<a href="%s" target="_blank" rel="noopener">%s</a>`, esc(link), marker)
		}
		b.WriteString(marker)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// labelAnchor keeps a change point's label inside the chart near its edges.
func labelAnchor(x float64) string {
	switch {
	case x < padLeft+60:
		return "start"
	case x > chartW-padRight-60:
		return "end"
	}
	return "middle"
}

// direction is a shift's direction in one word.
func direction(sh trend.Shift) string {
	if sh.Regression {
		return "worse"
	}
	return "better"
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

// esc escapes text for HTML and SVG text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// runTitle is the tooltip of one run's marker: its commit first.
func runTitle(s trend.Series, run trend.RunInfo, v trend.Value) string {
	t := fmt.Sprintf("commit %s · %s · run %d · %s %s: %s %s", trend.ShortSHA(run.SHA), when(run.Date), run.Index+1, s.Label, trend.MetricTitle(s.Metric), trend.FormatValue(v.Value), s.Unit)
	if v.Spread > 0 {
		t += fmt.Sprintf(" (spread within the run ± %s)", trend.FormatValue(v.Spread))
	}
	switch {
	case run.Accepted():
		t += " · " + acceptedTitle(run)
	case run.FailedGate():
		t += fmt.Sprintf(" · the gate's verdict: %s, recorded but not promoted", run.Verdict)
	}
	return t
}

// acceptedTitle says who accepted a run's changes, and why.
func acceptedTitle(run trend.RunInfo) string {
	return fmt.Sprintf("run %s accepted on purpose by %s: %s", trend.ShortSHA(run.SHA), run.AcceptedBy, run.AcceptReason)
}

// when prints a run's RFC 3339 date as "2026-11-09 03:00 UTC", or as it is
// when it does not parse.
func when(date string) string {
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return date
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shiftTitle is the tooltip of a change point.
func shiftTitle(s trend.Series, sh trend.Shift) string {
	return fmt.Sprintf("%s %s: change point %s %s (%s to %s %s), %s, %s, p %.3f",
		s.Label, trend.MetricTitle(s.Metric), trend.FormatChange(sh.Change), direction(sh), trend.FormatValue(sh.Before), trend.FormatValue(sh.After), s.Unit,
		sh.FirstChanged(), trend.Day(sh.FirstAfter.Date), sh.P)
}

// segmentTitle is the tooltip of a level line.
func segmentTitle(s trend.Series, history []trend.RunInfo, seg trend.Segment) string {
	first, last := history[s.Values[seg.From].Run], history[s.Values[seg.To-1].Run]
	return fmt.Sprintf("level %s %s: the mean of %d runs, %s to %s", trend.FormatValue(seg.Mean), s.Unit, seg.To-seg.From, trend.ShortSHA(first.SHA), trend.ShortSHA(last.SHA))
}

// bandTitle is the tooltip of the noise band.
func bandTitle(s trend.Series, l trend.Level, lo, hi float64) string {
	return fmt.Sprintf("noise band %s – %s %s: the level of the %d runs since %s, %s, ± %g standard deviations of those runs",
		trend.FormatValue(lo), trend.FormatValue(hi), s.Unit, l.Runs, trend.ShortSHA(l.Since.SHA), trend.FormatValue(l.Mean), trend.NoiseBandSDs)
}
