package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// MaxCharts is the most charts a markdown report draws.
const MaxCharts = 12

// chartWidthPx and chartHeightPx size a chart: a comment's width, and tall
// enough for the up to maxTicks y-axis labels that mermaid draws.
const (
	chartWidthPx  = 720
	chartHeightPx = 280
)

// maxTicks is the most y-axis ticks whose labels fit a chart of
// chartHeightPx.
const maxTicks = 11

// chart is one metric's relative change against the swept dimension for
// one server configuration and one setting of the other dimensions, with
// the tolerance band around zero, and the points left out.
type chart struct {
	title, axis string
	// lowerIsBetter says which side of the band is worse: above for a
	// latency, below for a throughput.
	lowerIsBetter bool
	// tolerancePct is the gate's tolerance in percent: the band is
	// ±tolerancePct.
	tolerancePct float64
	// xs are the swept values drawn, in increasing order.
	xs []string
	// changesPct are this run's changes from the baseline in percent.
	changesPct []float64
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
			tolerance := r.Gates[g.Server.Run].Tolerance
			for _, key := range keys {
				if ch, ok := buildChart(g, metric, key, tolerance, l); ok {
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
// points have a change (a line needs two).
func buildChart(g *gate.Group, metric, key string, tolerance float64, l labeler) (chart, bool) {
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
	ch := chart{title: title, axis: axisTitle(l.swept), tolerancePct: 100 * tolerance}
	if m, ok := gate.LookupMetric(metric); ok {
		ch.lowerIsBetter = m.LowerIsBetter
	}
	type gap struct {
		name, reason string
		before       int // how many points were drawn before it
	}
	var gaps []gap
	for _, row := range rows {
		name := l.swept + l.sweptValue(row.Point)
		c := cellOf(row, metric)
		if c == nil || math.IsNaN(c.Change) || math.IsInf(c.Change, 0) {
			reason := verdictWord(row.Verdict)
			if c != nil && math.IsNaN(c.Base) {
				reason = "no baseline"
			}
			gaps = append(gaps, gap{name: name, reason: reason, before: len(ch.xs)})
			continue
		}
		ch.xs = append(ch.xs, l.sweptValue(row.Point))
		ch.changesPct = append(ch.changesPct, 100*c.Change)
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
