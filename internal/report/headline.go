package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// noVerdictMark heads a report that gives no verdict.
const noVerdictMark = "⛔"

// headline is the answer's first line: what failed, or what passed.
func (r *Report) headline(l labeler) string { return r.headlines(l)[0] }

// headlines answers three questions, one line each: what failed (counted
// cells only, the worst first), what was ruled out, and what could not be
// seen. A report without a verdict (an interrupted or failed sweep) has
// one line that says so and nothing else.
func (r *Report) headlines(l labeler) []string {
	if r.NoVerdict != "" {
		return []string{noVerdictMark + " " + r.NoVerdict + ": no verdict"}
	}
	out := []string{r.firstLine(l)}
	if s := r.ruledOut(); s != "" {
		out = append(out, s)
	}
	if s := r.unseen(); s != "" {
		out = append(out, s)
	}
	return out
}

// firstLine says what failed, where and by how much; or, when nothing
// did, whether the report showed the cells unchanged or could not decide.
// It counts cells and the points that hold them; suspect cells and those
// of points waived for a throttled GPU are not counted.
func (r *Report) firstLine(l labeler) string {
	vs, n := r.verdictsPresent()
	var parts []string
	if reg := r.CountCells(stats.Regression); reg.Cells > 0 {
		parts = append(parts, fmt.Sprintf("%s in %s: %s", plural(reg.Cells, "regression"), plural(reg.Points, "point"), r.worst(l, stats.Regression, reg.Points)))
	}
	for _, v := range vs {
		if v != stats.Failed && v != gate.Missing {
			continue
		}
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("%s %s: %s", plural(n[v], "point"), verdictWord(v), r.firstOf(l, v, n[v])))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s", plural(n[v], "point"), verdictWord(v)))
		}
	}
	if len(parts) > 0 {
		return "❌ " + strings.Join(parts, "; ")
	}
	if waived := r.waivedRows(); waived > 0 {
		return fmt.Sprintf("⚠️ %s on a throttled GPU, a warning: %s", plural(waived, "regression"), r.worst(l, stats.Regression, waived))
	}
	imp, und, unch := r.CountCells(stats.Improvement), r.CountCells(stats.Undecided), r.CountCells(stats.Unchanged)
	total := imp.Cells + und.Cells + unch.Cells
	switch {
	case len(r.Rows()) == 0:
		return "⚠️ No points to compare"
	case total == 0 && n[stats.New] == len(r.Rows()):
		return fmt.Sprintf("✅ %s, no baseline to compare with yet", plural(n[stats.New], "new point"))
	case total == 0 && r.settingsNotComparable() > 0:
		k := r.settingsNotComparable()
		return fmt.Sprintf("⚠️ not comparable: %s measured with other settings than %s baseline, nothing judged: %s",
			plural(k, "point"), map[bool]string{true: "its", false: "their"}[k == 1], r.firstOf(l, stats.NotComparable, k))
	case total == 0:
		return "⚠️ undecided: no cell could be judged"
	case und.Cells == total:
		return fmt.Sprintf("⚠️ undecided: no regression found, and none of %s in %s shown within the tolerance", plural(und.Cells, "cell"), plural(und.Points, "point"))
	}
	var improved string
	if imp.Cells > 0 {
		improved = fmt.Sprintf("%s in %s: %s", plural(imp.Cells, "improvement"), plural(imp.Points, "point"), r.worst(l, stats.Improvement, imp.Points))
	}
	switch {
	case und.Cells > 0 && imp.Cells > 0:
		return fmt.Sprintf("⚠️ %s; no regression found, %d of %s undecided", improved, und.Cells, plural(total, "cell"))
	case und.Cells > 0:
		return fmt.Sprintf("⚠️ undecided: no regression found; %d of %s undecided, %d unchanged", und.Cells, plural(total, "cell"), unch.Cells)
	case imp.Cells > 0:
		return fmt.Sprintf("✅ %s; the other %s unchanged", improved, plural(unch.Cells, "cell"))
	}
	return fmt.Sprintf("✅ %s in %s unchanged", plural(unch.Cells, "cell"), plural(unch.Points, "point"))
}

// metricCells is what the headline says of one gated metric: its counted
// cells, how many were shown unchanged, and the widest equivalence bound.
type metricCells struct {
	metric           string
	lowerIsBetter    bool
	cells, unchanged int
	bound            float64
	// detectable is the largest finite detectable change of its undecided
	// cells, NaN when none; untestable counts those with none.
	detectable  float64
	untestable  int
	noHistory   bool
	undecidedOK bool
}

// byMetric gathers the counted cells per metric, in order of appearance.
func (r *Report) byMetric() []*metricCells {
	var out []*metricCells
	index := map[string]*metricCells{}
	for _, row := range r.Rows() {
		for _, c := range row.Cells {
			if !row.Counted(c) {
				continue
			}
			m := index[c.Metric]
			if m == nil {
				m = &metricCells{metric: c.Metric, lowerIsBetter: c.LowerIsBetter, detectable: math.NaN()}
				index[c.Metric] = m
				out = append(out, m)
			}
			m.cells++
			m.bound = math.Max(m.bound, c.Bound)
			switch c.Verdict {
			case stats.Unchanged:
				m.unchanged++
			case stats.Undecided:
				m.undecidedOK = true
				if math.IsNaN(c.Detectable) || math.IsInf(c.Detectable, 0) {
					m.untestable++
				} else if !(c.Detectable <= m.detectable) {
					m.detectable = c.Detectable
				}
				m.noHistory = m.noHistory || c.NoHistory || c.Noise == gate.NoisePrior
			}
		}
	}
	return out
}

// ruledOut says, per gated metric, which changes the report ruled out:
// those beyond the equivalence bound, at every point or at some.
func (r *Report) ruledOut() string {
	var parts []string
	everywhere := map[string][]string{} // bound -> metrics shown unchanged at every point
	var bounds []string
	for _, m := range r.byMetric() {
		b := pctWhole(m.bound)
		switch {
		case m.unchanged == 0:
		case m.unchanged == m.cells:
			if everywhere[b] == nil {
				bounds = append(bounds, b)
			}
			everywhere[b] = append(everywhere[b], metricTitle(m.metric))
		default:
			parts = append(parts, fmt.Sprintf("beyond ±%s in %s at %d of %d points", b, metricTitle(m.metric), m.unchanged, m.cells))
		}
	}
	var all []string
	for _, b := range bounds {
		all = append(all, fmt.Sprintf("beyond ±%s in %s at any point", b, joinWords(everywhere[b])))
	}
	parts = append(all, parts...)
	if len(parts) == 0 {
		return ""
	}
	return "Ruled out: no change " + strings.Join(parts, "; ") + "."
}

// unseen says which changes the report could not have seen: per metric
// with undecided cells, the largest change they could miss (their
// detectable change), and why.
func (r *Report) unseen() string {
	var parts, tenfold []string
	noHistory, untestable := false, 0
	for _, m := range r.byMetric() {
		if !m.undecidedOK {
			continue
		}
		noHistory = noHistory || m.noHistory
		untestable += m.untestable
		switch {
		case cannotSeeTenfold(m.detectable, m.lowerIsBetter):
			tenfold = append(tenfold, metricTitle(m.metric))
		case !math.IsNaN(m.detectable):
			parts = append(parts, pctWhole(m.detectable)+" "+metricTitle(m.metric))
		}
	}
	if len(parts) == 0 && len(tenfold) == 0 && untestable == 0 {
		return ""
	}
	var s string
	if len(parts) > 0 {
		s = "Could not detect changes under " + joinWords(parts)
	}
	if len(tenfold) > 0 {
		if s != "" {
			s += ", nor "
		} else {
			s = "Could not detect "
		}
		s += "even a tenfold change in " + joinWords(tenfold)
	}
	if untestable > 0 {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%s could not be tested", plural(untestable, "cell"))
	}
	switch {
	case r.Paired != nil:
		s += ": after " + r.undecidedRounds() + " the noise between the builds' starts is too large for the tolerance; more rounds (`--rounds`) narrow it"
	case noHistory:
		s += fmt.Sprintf(": no run-to-run history yet; run `vllm-bench calibrate` or accept %d runs into the baselines", stats.MinPredictionHistory)
	default:
		s += ": the noise measured here, within the run or from one run to the next, is too large for the tolerance"
	}
	return upperFirst(s) + "."
}

// undecidedRounds names the rounds that measured a paired report's
// undecided cells: "4 rounds", or "2-4 rounds (...)" when some points were
// dropped sooner because even the most rounds could not decide them.
func (r *Report) undecidedRounds() string {
	lo, hi := 0, 0
	for _, row := range r.Rows() {
		if row.Rounds == 0 || !slices.ContainsFunc(row.Cells, func(c *gate.Cell) bool { return c.Verdict == stats.Undecided }) {
			continue
		}
		if lo == 0 || row.Rounds < lo {
			lo = row.Rounds
		}
		hi = max(hi, row.Rounds)
	}
	switch {
	case lo == 0:
		return plural(r.Paired.MostRounds(), "round")
	case lo == hi:
		return plural(hi, "round")
	}
	return fmt.Sprintf("%d-%d rounds (points that even %s could not decide were measured no more)", lo, hi, plural(r.Paired.MaxRounds, "round"))
}

// pctWhole prints a fraction as a percentage, whole above 10 %.
func pctWhole(f float64) string {
	if f >= 0.1 || math.Abs(100*f-math.Round(100*f)) < 1e-9 {
		return fmt.Sprintf("%.0f%%", 100*f)
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}
