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
// Its quantiles are those of stats (stats.QuantileAt), the one
// implementation of numpy's linear method; stats is a pure library of
// numbers that any stage may use.
//
// Allowed internal imports: loadgen, stats.
package metrics
