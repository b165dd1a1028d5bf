// Package metrics is the metrics stage of vllm-bench: it folds the records
// of a round (loadgen.Record) into a Summary with the definitions of
// `vllm bench serve`, so that the numbers compare with vLLM's own:
// TTFT, TPOT, ITL (per chunk, pooled over requests) and E2EL statistics,
// the three throughputs over the round's duration, max_output_tokens_per_s,
// max_concurrent_requests and goodput.
//
// The Accumulator keeps a few numbers per request and a histogram of the
// ITLs, so its memory grows with the number of requests, not of tokens.
//
// Package metrics may import loadgen (and config, sweep); it imports no
// stage to its right (results, baseline, stats, report, github).
package metrics
