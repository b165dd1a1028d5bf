// Package baseline is the baselines stage of the regression gate: it loads a
// results directory, matches each point with its stored baseline and history,
// and promotes accepted results to new baselines.
//
// The store is a directory tree:
//
//	<baselines>/<run name>/<result file name>   a result file accepted as reference
//	<baselines>/<run name>/history.jsonl        one summary line per accepted run
//
// A baseline measured on another GPU model does not gate: its Pair carries
// the reason in Mismatch. History lines are newest last and capped at
// DefaultHistoryCap (or UpdateOptions.HistoryCap); compaction drops the
// oldest lines except those a KeepFunc marks. The gate reads the newest
// GateWindow lines; change-point detection reads them all. A line also
// keeps the run's server starts, per server configuration with the
// compile cache's state, and its GPU-seconds (from the results
// directory's summary.json); MatchStarts pairs a directory's starts with
// them, cold with cold and warm with warm.
//
// Allowed internal imports: results, sweep, config.
package baseline
