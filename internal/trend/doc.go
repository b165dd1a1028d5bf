// Package trend is the nightly stage beside report: it reads the history
// of accepted runs (baseline's history.jsonl), finds the persistent shifts
// with E-divisive means (stats.EDivisive) of every gated metric's series,
// of each server configuration's start seconds (cold and warm starts
// apart, so that a compile cache switching on is no change) and of the
// run's GPU-seconds, names the first changed run of each shift and the
// commit range to bisect, and renders the trend report as text, markdown (with mermaid trend charts)
// or JSON. It also tells history compaction which lines a change point needs
// (Keep).
//
// Allowed internal imports: baseline, stats, gate.
package trend
