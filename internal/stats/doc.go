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
package stats
