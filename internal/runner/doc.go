// Package runner is the stage that executes a plan: it selects the server
// configurations a config and the command line ask for (NewPlan: engine and
// output overrides, one run, one shard), then runs them in order (Run):
// each server started from its engine recipe, its points measured with
// every repeat (Measure), the server stopped; points that could not be
// measured are recorded as <point>.failed.json with the cause and the
// server's last log lines, summary.json lists what became of every planned
// point, and --resume keeps complete files measured with the same
// settings.
//
// Progress is reported through an Observer, never printed: the command
// line and the action each implement it.
//
// Allowed internal imports: config, sweep, engine, server, loadgen, metrics, probe, results, sigfig.
package runner
