// Package gate is the one owner of the regression gate's rules: the gate
// settings' defaults and validation (Resolve, CheckConfig, CheckTolerance,
// CheckAlpha, CheckMetrics), the catalogue of gated metrics, the verdict of
// every cell (Compare: per gated metric of each matched result/baseline
// pair, the change, its confidence interval and a p-value, adjusted with
// Benjamini-Hochberg over the whole report; a server configuration's
// start, startup_seconds, is judged in a row of its own against the starts
// on record of the same compile-cache state), the verdict of a report and
// the aggregation of several reports and missing points into one verdict
// (Combine). It also measures the gate on A/A comparisons (Calibrate).
//
// It does no rendering: the report stage formats its outcome.
//
// Allowed internal imports: config, sweep, probe, results, baseline, stats, sigfig.
package gate
