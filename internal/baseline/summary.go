package baseline

import "github.com/vllm-bench-action/vllm-bench-action/internal/results"

// Summarize returns the statistics of a result that history keeps, keyed by
// their result-file names (median_ttft_ms, output_throughput, ...): the
// median, p90 and p99 of TTFT, TPOT, ITL and E2EL and the throughputs
// (request_goodput only when it was measured). Keeping every statistic, not
// only the gated ones, keeps history useful when gate.metrics changes.
func Summarize(f *results.File) map[string]float64 {
	m := map[string]float64{
		"median_ttft_ms":         f.MedianTTFTMs,
		"p90_ttft_ms":            f.P90TTFTMs,
		"p99_ttft_ms":            f.P99TTFTMs,
		"median_tpot_ms":         f.MedianTPOTMs,
		"p90_tpot_ms":            f.P90TPOTMs,
		"p99_tpot_ms":            f.P99TPOTMs,
		"median_itl_ms":          f.MedianITLMs,
		"p90_itl_ms":             f.P90ITLMs,
		"p99_itl_ms":             f.P99ITLMs,
		"median_e2el_ms":         f.MedianE2ELMs,
		"p90_e2el_ms":            f.P90E2ELMs,
		"p99_e2el_ms":            f.P99E2ELMs,
		"output_throughput":      f.OutputThroughput,
		"request_throughput":     f.RequestThroughput,
		"total_token_throughput": f.TotalTokenThroughput,
	}
	if f.RequestGoodput != nil {
		m["request_goodput"] = *f.RequestGoodput
	}
	return m
}
