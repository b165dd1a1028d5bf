// Package report is the last stage of the regression gate before GitHub: it
// compares matched result/baseline pairs metric by metric (Compare), adjusts
// the p-values of the whole report together, assigns verdicts, and renders
// the outcome as markdown (job summary and PR comment), plain text
// (terminals) and JSON (machines). It also holds the catalogue of gated
// metrics and the pure part of calibration (A/A comparisons of repeated runs).
//
// report may import stats, baseline, results, sweep and config; nothing
// imports report but app and github.
package report
