// Package report renders the gate's outcome: markdown (job summary and PR
// comment), plain text (terminals) and JSON (machines), charts of what
// changed, and the calibration tables. It judges nothing; every verdict
// comes from the gate stage.
//
// Allowed internal imports: gate, stats, sweep, sigfig, trend (its chart colours).
package report
