// Package loadgen is the load-generation stage of vllm-bench: it builds
// prompts of an exact input length, paces requests (a closed loop of
// concurrency in-flight requests, or open-loop gamma arrivals capped by the
// concurrency), streams OpenAI-compatible completions over SSE and turns
// every request into one Record.
//
// A failed request is a Record with its Error set, never an abort of the
// round; only a stall (no stream received anything for the stall timeout
// while requests were in flight) or the caller's context ends a round
// early. Records carry times in seconds relative to the round's origin (the
// instant just before the first request is dispatched), so later stages
// need no clock.
//
// Package loadgen may import config and sweep; it imports no stage to its
// right (metrics, results, baseline, stats, report, github).
package loadgen
