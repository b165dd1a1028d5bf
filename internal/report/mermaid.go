package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// mermaid renders the chart as a mermaid xychart-beta block: this run's
// change in percent in the trend charts' run colour, zero and the
// tolerance band (±tolerance, two flat lines) in their level colour, on a
// y-axis that spans the changes and the band rather than starting at zero;
// a legend where the renderer draws one; and under it a key in words:
// which colour is which, what changed, and the points not drawn.
func (ch chart) mermaid() string {
	var b strings.Builder
	b.WriteString("```mermaid\n")
	fmt.Fprintf(&b, `%%%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "%s, %s, %s, %s"}}, `+
		`"xyChart": {"width": %d, "height": %d, "showLegend": true, "titleFontSize": 16, `+
		`"xAxis": {"labelFontSize": 12, "titleFontSize": 13}, "yAxis": {"labelFontSize": 11, "titleFontSize": 13}}}}%%%%`+"\n",
		trend.RunColour, trend.LevelColour, trend.LevelColour, trend.LevelColour, chartWidthPx, chartHeightPx)
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
	lo, hi := ch.yRange()
	fmt.Fprintf(&b, "    y-axis \"change %%\" %s --> %s\n", axisNumber(lo), axisNumber(hi))
	flat := func(v float64) string {
		return strings.TrimSuffix(strings.Repeat(axisNumber(v)+", ", len(ch.xs)), ", ")
	}
	tol := sigfig.Trim(ch.tolerancePct, 3)
	fmt.Fprintf(&b, "    line \"this run\" [%s]\n", chartValues(ch.changesPct))
	fmt.Fprintf(&b, "    line \"no change\" [%s]\n", flat(0))
	fmt.Fprintf(&b, "    line \"+%s%% tolerance\" [%s]\n", tol, flat(ch.tolerancePct))
	fmt.Fprintf(&b, "    line \"-%s%% tolerance\" [%s]\n", tol, flat(-ch.tolerancePct))
	b.WriteString("```\n\n")
	worse := "above"
	if !ch.lowerIsBetter {
		worse = "below"
	}
	key := fmt.Sprintf("Blue line: this run's change from the baseline at each point; orange lines: no change (0%%) and the tolerance (±%s%%), %s which a change is worse.", tol, worse)
	if len(ch.changes) > 0 {
		key += " " + strings.Join(ch.changes, ", ") + "."
	}
	for _, gap := range ch.gaps {
		key += " ⚠️ **" + gap + "**."
	}
	fmt.Fprintf(&b, "<sub>%s</sub>\n\n", key)
	return b.String()
}

// yRange is the chart's y-axis: the changes, zero and the band with a
// margin, widened to whole multiples of the smallest round step on which
// mermaid draws at most maxTicks ticks.
func (ch chart) yRange() (lo, hi float64) {
	lo, hi = -ch.tolerancePct, ch.tolerancePct
	for _, v := range ch.changesPct {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo <= 0 {
		lo, hi = -1, 1 // no tolerance and no change
	}
	margin := 0.05 * (hi - lo)
	lo, hi = lo-margin, hi+margin
	for step := math.Pow(10, math.Floor(math.Log10((hi-lo)/10))); ; step = nextStep(step) {
		l, h := onStep(math.Floor(lo/step+1e-9), step), onStep(math.Ceil(hi/step-1e-9), step)
		if ticks(l, h) <= maxTicks {
			return l, h
		}
	}
}

// onStep is n steps, rounded to the step's decimals so that -11 steps of
// 0.1 print as -1.1.
func onStep(n, step float64) float64 {
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	v, _ := strconv.ParseFloat(strconv.FormatFloat(n*step, 'f', decimals, 64), 64)
	return v
}

// nextStep is the round step after s: 1, 2, 5, 10, 20, ... times a power
// of ten.
func nextStep(s float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(s)+1e-9))
	switch e := math.Round(s / p); {
	case e < 2:
		return 2 * p
	case e < 5:
		return 5 * p
	}
	return 10 * p
}

// ticks counts the ticks d3's linear scale (mermaid's axes) draws from lo
// to hi: it aims at ten and rounds the step to 1, 2 or 5 times a power of
// ten.
func ticks(lo, hi float64) int {
	raw := (hi - lo) / 10
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
	step := factor * power
	return int(math.Floor(hi/step+1e-9)-math.Ceil(lo/step-1e-9)) + 1
}

// axisNumber prints an axis bound or a flat line's value: as short as it
// can be, never in exponent form.
func axisNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// chartValues prints the changes a line draws, to a hundredth of a
// percent.
func chartValues(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
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
