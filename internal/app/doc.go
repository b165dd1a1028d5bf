// Package app holds the subcommands of vllm-bench: their flags, and the
// wiring of the stages (config -> sweep -> runner (engine, server, loadgen)
// -> metrics -> results -> baseline -> stats -> gate -> report (trend,
// dashboard) -> github).
// A command returns an error that carries its exit code; Main prints it
// once and exits with the code.
//
// Allowed internal imports: config, sweep, engine, server, loadgen, metrics, runner, results, baseline, stats, gate, report, trend, dashboard, github, sim, sigfig.
package app
