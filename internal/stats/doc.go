// Package stats is the statistics stage of the regression gate: pure
// functions on []float64 with no I/O and no internal imports (it uses gonum's
// stat and distuv underneath).
//
// It is opinionated in the way benchstat is. Latency samples are compared by
// their median (or another quantile) with a Mann-Whitney U test and a
// bootstrap confidence interval of the relative change; values that exist
// once per repeat (throughputs) are compared with Welch's t-test, or with a
// prediction interval from history when one side has a single value. The
// p-values of a whole report are adjusted together with Benjamini-Hochberg,
// and Classify turns the evidence into a Verdict. Caveats (too few samples,
// a test that could not run) are returned as data in Warnings, never logged.
//
// Two more designs serve the paired and the nightly gates. Paired A/B
// (paired.go, sequential.go) tests the per-round log-ratios of two builds
// measured on alternating fresh servers with a moderated paired t, looking
// after every round with the false-alarm rate split over the looks, so a
// clear verdict stops the comparison early. Change points (changepoint.go)
// are found with E-divisive means and a permutation test over a metric's
// history.
package stats
