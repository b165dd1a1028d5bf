package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// MaxCharts is the most charts a markdown report draws.
const MaxCharts = 12

// Chart colours, as mermaid's xychart plotColorPalette takes them: a blue
// and an orange, apart for the common colour-vision deficiencies, each with
// a contrast of 3:1 or more against GitHub's light page, its dark page and
// mermaid's dark chart background.
const (
	baselineColour = "#2f81f7"
	currentColour  = "#df6a14"
)

// chartWidthPx and chartHeightPx size a chart so that three fit on a laptop
// screen at a comment's width.
const (
	chartWidthPx  = 720
	chartHeightPx = 220
)

// chart is one metric against the swept dimension for one server
// configuration and one setting of the other dimensions: the baseline and
// the current run where both have a value, and the points left out.
type chart struct {
	title, axis, unit string
	// xs are the swept values drawn, in increasing order.
	xs        []string
	base, cur []float64
	// gaps say which points are not drawn, why, and where the lines
	// cross them.
	gaps []string
	// changes name the drawn points whose cell changed ("C32 +24.8% ❌").
	changes []string
}

// charts returns the charts of what changed: for each server configuration
// with a regression or improvement, one chart per changed metric (regressed
// metrics first) and setting of the other dimensions, in report order.
func (r *Report) charts(l labeler) []chart {
	var out []chart
	for _, g := range r.Groups {
		for _, metric := range changedMetrics(g) {
			var keys []string
			seen := map[string]bool{}
			for _, row := range g.Rows {
				c := cellOf(row, metric)
				if c == nil || !changed(c.Verdict) {
					continue
				}
				if k := l.series(row.Point); !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
			for _, key := range keys {
				if ch, ok := buildChart(g, metric, key, l); ok {
					out = append(out, ch)
				}
			}
		}
	}
	return out
}

// changed reports whether a cell verdict is a change worth a chart.
func changed(v stats.Verdict) bool { return v == stats.Regression || v == stats.Improvement }

// changedMetrics returns the metrics with a regression or improvement in a
// group: regressed ones first, each set by the size of its largest change.
func changedMetrics(g *gate.Group) []string {
	type entry struct {
		metric    string
		severity  int
		magnitude float64
		order     int
	}
	byMetric := map[string]*entry{}
	for _, row := range g.Rows {
		for i, c := range row.Cells {
			if !changed(c.Verdict) {
				continue
			}
			e := byMetric[c.Metric]
			if e == nil {
				e = &entry{metric: c.Metric, order: i}
				byMetric[c.Metric] = e
			}
			e.severity = max(e.severity, c.Verdict.Severity())
			e.magnitude = max(e.magnitude, math.Abs(c.Change))
		}
	}
	es := make([]*entry, 0, len(byMetric))
	for _, e := range byMetric {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].severity != es[j].severity {
			return es[i].severity > es[j].severity
		}
		if es[i].magnitude != es[j].magnitude {
			return es[i].magnitude > es[j].magnitude
		}
		return es[i].order < es[j].order
	})
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.metric
	}
	return out
}

// cellOf returns a row's cell for metric, nil when it has none.
func cellOf(row *gate.Row, metric string) *gate.Cell {
	for _, c := range row.Cells {
		if c.Metric == metric {
			return c
		}
	}
	return nil
}

// buildChart collects one chart's values; ok is false when fewer than two
// points have both values (a line needs two).
func buildChart(g *gate.Group, metric, key string, l labeler) (chart, bool) {
	var rows []*gate.Row
	for _, row := range g.Rows {
		if l.series(row.Point) == key {
			rows = append(rows, row)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return sweptNumber(l.sweptValue(rows[i].Point)) < sweptNumber(l.sweptValue(rows[j].Point))
	})
	title := metricTitle(metric) + " · " + serverName(g.Server)
	if key != "" {
		title += " · " + key
	}
	ch := chart{title: title, axis: axisTitle(l.swept)}
	type gap struct {
		name, reason string
		before       int // how many points were drawn before it
	}
	var gaps []gap
	for _, row := range rows {
		name := l.swept + l.sweptValue(row.Point)
		c := cellOf(row, metric)
		if c == nil || math.IsNaN(c.Base) || math.IsNaN(c.Cur) {
			reason := verdictWord(row.Verdict)
			if c != nil && math.IsNaN(c.Base) {
				reason = "no baseline"
			}
			gaps = append(gaps, gap{name: name, reason: reason, before: len(ch.xs)})
			continue
		}
		ch.unit = c.Unit
		ch.xs = append(ch.xs, l.sweptValue(row.Point))
		ch.base = append(ch.base, c.Base)
		ch.cur = append(ch.cur, c.Cur)
		if changed(c.Verdict) {
			ch.changes = append(ch.changes, fmt.Sprintf("%s %s %s", name, fmtPct(c.Change), mark(c.Verdict)))
		}
	}
	for _, gp := range gaps {
		text := fmt.Sprintf("%s %s, not drawn", gp.name, gp.reason)
		switch {
		case gp.before == 0 && len(ch.xs) > 0:
			text += fmt.Sprintf(" (the lines start at %s%s)", l.swept, ch.xs[0])
		case gp.before == len(ch.xs) && len(ch.xs) > 0:
			text += fmt.Sprintf(" (the lines end at %s%s)", l.swept, ch.xs[len(ch.xs)-1])
		case gp.before > 0:
			text += fmt.Sprintf(": the lines run straight from %s%s to %s%s across the gap", l.swept, ch.xs[gp.before-1], l.swept, ch.xs[gp.before])
		}
		ch.gaps = append(ch.gaps, text)
	}
	return ch, len(ch.xs) >= 2
}

// sweptNumber orders swept values numerically; a value that is not a
// number sorts last.
func sweptNumber(v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.Inf(1)
	}
	return f
}

// mermaid renders the chart as a mermaid xychart-beta block with named
// lines, a legend where the renderer draws one, a y-axis from zero, and
// under it a key in words: which colour is which, what changed, and the
// points not drawn.
func (ch chart) mermaid() string {
	var b strings.Builder
	b.WriteString("```mermaid\n")
	fmt.Fprintf(&b, `%%%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "%s, %s"}}, `+
		`"xyChart": {"width": %d, "height": %d, "showLegend": true, "titleFontSize": 16, `+
		`"xAxis": {"labelFontSize": 12, "titleFontSize": 13}, "yAxis": {"labelFontSize": 11, "titleFontSize": 13}}}}%%%%`+"\n",
		baselineColour, currentColour, chartWidthPx, chartHeightPx)
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title %s\n", mermaidString(ch.title))
	xs := make([]string, len(ch.xs))
	for i, x := range ch.xs {
		xs[i] = x
		if !plainNumber(x) {
			xs[i] = mermaidString(x)
		}
	}
	fmt.Fprintf(&b, "    x-axis %s [%s]\n", mermaidString(ch.axis), strings.Join(xs, ", "))
	top := math.Max(maxOf(ch.base), maxOf(ch.cur))
	fmt.Fprintf(&b, "    y-axis %s 0 --> %s\n", mermaidString(ch.unit), strconv.FormatFloat(axisTop(top), 'f', -1, 64))
	fmt.Fprintf(&b, "    line \"baseline\" [%s]\n", chartValues(ch.base))
	fmt.Fprintf(&b, "    line \"this run\" [%s]\n", chartValues(ch.cur))
	b.WriteString("```\n\n")
	key := "Blue line: baseline; orange line: this run."
	if len(ch.changes) > 0 {
		key += " " + strings.Join(ch.changes, ", ") + "."
	}
	for _, gap := range ch.gaps {
		key += " ⚠️ **" + gap + "**."
	}
	fmt.Fprintf(&b, "<sub>%s</sub>\n\n", key)
	return b.String()
}

// plainNumber reports whether s is digits with at most one decimal point,
// which mermaid reads as a number.
func plainNumber(s string) bool {
	dots := 0
	for _, r := range s {
		switch {
		case r == '.':
			dots++
		case r < '0' || r > '9':
			return false
		}
	}
	return s != "" && dots <= 1
}

// mermaidString quotes a title for mermaid, which has no escape for
// double quotes.
func mermaidString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// axisTop is the top of a y-axis that starts at zero and shows top: the
// smallest round number 5 to 50 % above it on which mermaid draws at most
// maxTicks ticks, so that their labels do not crowd a small chart; failing
// that, the one with the fewest ticks.
func axisTop(top float64) float64 {
	if top <= 0 || math.IsNaN(top) || math.IsInf(top, 0) {
		return 1
	}
	lo := top * 1.05
	step := math.Pow(10, math.Floor(math.Log10(lo))-1)
	best, bestTicks := 0.0, math.MaxInt
	for i := math.Ceil(lo/step - 1e-9); i*step <= top*1.5 || best == 0; i++ {
		v := i * step
		n := ticks(v)
		if n <= maxTicks {
			return v
		}
		if n < bestTicks {
			best, bestTicks = v, n
		}
	}
	return best
}

// maxTicks is the most y-axis ticks whose labels fit a chart of
// chartHeightPx.
const maxTicks = 8

// ticks counts the ticks d3's linear scale (mermaid's axes) draws from zero
// to top: it aims at ten and rounds the step to 1, 2 or 5 times a power of
// ten.
func ticks(top float64) int {
	raw := top / 10
	power := math.Pow(10, math.Floor(math.Log10(raw)))
	factor := 1.0
	switch e := raw / power; {
	case e >= math.Sqrt(50):
		factor = 10
	case e >= math.Sqrt(10):
		factor = 5
	case e >= math.Sqrt(2):
		factor = 2
	}
	return int(math.Floor(top/(factor*power)+1e-9)) + 1
}

// chartNumber prints a value for a chart: about four significant digits,
// never in exponent form.
func chartNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func chartValues(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = chartNumber(v)
	}
	return strings.Join(parts, ", ")
}
