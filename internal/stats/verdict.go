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
	// Unchanged: the change, with the run-to-run noise the gate assumes,
	// is shown to lie within the tolerance (an equivalence decision).
	Unchanged Verdict = "unchanged"
	// Undecided: neither a significant change beyond the tolerance nor
	// shown to lie within it; also too few samples to judge, or a
	// significant change whose interval still includes no change.
	Undecided Verdict = "undecided"
	// New: there is no baseline to compare with.
	New Verdict = "new"
	// Failed: the point had failed requests or could not be measured.
	Failed Verdict = "failed"
	// Skipped: a baseline exists but is not comparable (it was recorded on
	// other hardware), so it does not gate.
	Skipped Verdict = "skipped"
	// NotComparable: a baseline exists but was measured with other
	// settings (endpoint, model, output length, ...), so it does not gate.
	NotComparable Verdict = "not-comparable"
)

// Severity orders verdicts for summarising several into one: the most
// severe wins (failed, regression, improvement, undecided, skipped, new,
// unchanged). A decided change outranks an undecided cell: a point with a
// regression and an improvement is a regression, one with an improvement
// and an undecided cell an improvement (its cells say the rest).
func (v Verdict) Severity() int {
	switch v {
	case Failed:
		return 6
	case Regression:
		return 5
	case Improvement:
		return 4
	case Undecided:
		return 3
	case Skipped, NotComparable:
		return 2
	case New:
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
	// tolerance alone decides a regression, and the caller should say so in
	// a warning.
	P float64
	// Alpha is the significance level for adjusted p-values.
	Alpha float64
	// Tolerance is the smallest relative change that counts as a
	// regression or an improvement (after any widening for noise).
	Tolerance float64
	// Bound is the equivalence bound: a change shown to lie within ±Bound
	// is Unchanged. It is the configured tolerance, never widened for
	// noise: noise widens the Decision interval instead.
	Bound float64
	// Interval, when known, is a confidence interval of Change; a change
	// whose interval includes 0 is never a regression or an improvement.
	Interval *Interval
	// Decision is the interval of Change that includes the run-to-run
	// noise the gate assumes (EquivalenceInterval); nil when there is none,
	// and then the cell cannot be shown Unchanged.
	Decision *Interval
}

// Classify returns Regression when the change is significant and worse than
// the tolerance, Improvement when it is significant and better, Unchanged
// when the Decision interval lies within ±Bound (an equivalence decision:
// two one-sided tests), and Undecided otherwise: neither a change beyond
// the tolerance nor shown to be within it, or the change itself unknown.
// Significant means P below Alpha (or no test possible). A significant
// change beyond the tolerance whose interval includes no change is
// Undecided: the samples differ, but not clearly in the statistic.
func Classify(e Evidence) Verdict {
	if math.IsNaN(e.Change) {
		return Undecided
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
		return Undecided
	case significant && worse > e.Tolerance:
		return Regression
	case significant && -worse > e.Tolerance:
		return Improvement
	case e.Decision != nil && e.Decision.Lo >= -e.Bound && e.Decision.Hi <= e.Bound:
		return Unchanged
	}
	return Undecided
}
