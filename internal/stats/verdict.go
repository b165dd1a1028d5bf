package stats

import "math"

// Verdict is the gate's judgement of one cell (a point and a metric) or of a
// whole point.
type Verdict string

// The verdicts, from the gate's point of view.
const (
	// Regression: significant (adjusted p < alpha, or no test possible and
	// marked so) and worse than the tolerance.
	Regression Verdict = "regression"
	// Improvement: significant and better than the tolerance.
	Improvement Verdict = "improvement"
	// Unchanged: not significant, or within the tolerance.
	Unchanged Verdict = "unchanged"
	// Inconclusive: too few samples to judge, or a significant change
	// beyond the tolerance whose interval still includes no change.
	Inconclusive Verdict = "inconclusive"
	// New: there is no baseline to compare with.
	New Verdict = "new"
	// Failed: the point had failed requests or could not be measured.
	Failed Verdict = "failed"
	// Skipped: a baseline exists but is not comparable (it was recorded on
	// other hardware), so it does not gate.
	Skipped Verdict = "skipped"
)

// Severity orders verdicts for summarising several into one: the most
// severe wins (failed, regression, inconclusive, skipped, new, improvement,
// unchanged).
func (v Verdict) Severity() int {
	switch v {
	case Failed:
		return 6
	case Regression:
		return 5
	case Inconclusive:
		return 4
	case Skipped:
		return 3
	case New:
		return 2
	case Improvement:
		return 1
	}
	return 0
}

// Worst returns the most severe of vs, or Unchanged when vs is empty.
func Worst(vs ...Verdict) Verdict {
	w := Unchanged
	for _, v := range vs {
		if v.Severity() > w.Severity() {
			w = v
		}
	}
	return w
}

// Evidence is what Classify needs to judge one cell.
type Evidence struct {
	// Change is the relative change (cur-base)/base of the statistic.
	Change float64
	// LowerIsBetter is true for latencies, false for throughputs.
	LowerIsBetter bool
	// P is the adjusted p-value, or NaN when no test could be run: then the
	// tolerance alone decides, and the caller should say so in a warning.
	P float64
	// Alpha is the significance level for adjusted p-values.
	Alpha float64
	// Tolerance is the smallest relative change that counts.
	Tolerance float64
	// Interval, when known, is a confidence interval of Change; a change
	// whose interval includes 0 is never a regression or an improvement.
	Interval *Interval
}

// Classify returns Regression when the change is significant and worse than
// the tolerance, Improvement when it is significant and better, Unchanged
// otherwise, and Inconclusive when the change itself is unknown (NaN).
// Significant means P below Alpha (or no test possible). A significant
// change beyond the tolerance whose interval includes no change is
// Inconclusive: the samples differ, but not clearly in the statistic.
func Classify(e Evidence) Verdict {
	if math.IsNaN(e.Change) {
		return Inconclusive
	}
	significant := math.IsNaN(e.P) || e.P < e.Alpha
	worse := e.Change
	if !e.LowerIsBetter {
		worse = -worse
	}
	beyond := worse > e.Tolerance || -worse > e.Tolerance
	switch {
	case significant && beyond && e.Interval != nil && e.Interval.Contains(0):
		// The samples moved, but the statistic itself is too unsteady
		// (a median between two modes, say) to say by how much.
		return Inconclusive
	case significant && worse > e.Tolerance:
		return Regression
	case significant && -worse > e.Tolerance:
		return Improvement
	}
	return Unchanged
}
