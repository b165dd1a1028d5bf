package probe

// The quantities a ServerMetrics block holds, in three kinds: counters
// (deltas over a round), histograms (count and sum deltas) and gauges
// (sampled while the round runs).
type counterID int

const (
	cRequests counterID = iota
	cPromptTokens
	cGenerationTokens
	cPreemptions
	cPrefixQueries
	cPrefixHits
	cPromptSeconds
	cGenerationSeconds
	numCounters
)

type histogramID int

const (
	hQueue histogramID = iota
	hPrefill
	hDecode
	hInference
	hTTFT
	hITL
	hE2EL
	numHistograms
)

type gaugeID int

const (
	gRunning gaugeID = iota
	gWaiting
	gKVUsage
	numGauges
)

// gaugeCombines says how the series of each gauge (one per data-parallel
// engine) make one value: requests add up; a cache usage is the fullest
// engine's, since one full engine is enough to preempt.
var gaugeCombines = [numGauges]gaugeCombine{gRunning: combineSum, gWaiting: combineSum, gKVUsage: combineMax}

// dialect names a server's metrics. Each quantity lists candidate family
// names, newest first; the first one a page holds is read. Counter families
// carry the _total suffix that prometheus_client appends.
type dialect struct {
	source     string
	counters   [numCounters][]string
	histograms [numHistograms][]string
	gauges     [numGauges][]string
}

// vllmDialect follows vllm/v1/metrics/loggers.py (PrometheusStatLogger) and
// the v0 engine's names it kept: kv_cache_usage_perc replaced
// gpu_cache_usage_perc and prefix_cache_* replaced gpu_prefix_cache_* in
// 0.9; inter_token_latency_seconds replaced time_per_output_token_seconds
// (which in v0 was also observed once per output token).
func vllmDialect() dialect {
	return dialect{
		source: "vllm",
		counters: [numCounters][]string{
			cRequests:         {"vllm:request_success_total"},
			cPromptTokens:     {"vllm:prompt_tokens_total"},
			cGenerationTokens: {"vllm:generation_tokens_total"},
			cPreemptions:      {"vllm:num_preemptions_total"},
			cPrefixQueries:    {"vllm:prefix_cache_queries_total", "vllm:gpu_prefix_cache_queries_total"},
			cPrefixHits:       {"vllm:prefix_cache_hits_total", "vllm:gpu_prefix_cache_hits_total"},
		},
		histograms: [numHistograms][]string{
			hQueue:     {"vllm:request_queue_time_seconds"},
			hPrefill:   {"vllm:request_prefill_time_seconds"},
			hDecode:    {"vllm:request_decode_time_seconds"},
			hInference: {"vllm:request_inference_time_seconds"},
			hTTFT:      {"vllm:time_to_first_token_seconds"},
			hITL:       {"vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"},
			hE2EL:      {"vllm:e2e_request_latency_seconds"},
		},
		gauges: [numGauges][]string{
			gRunning: {"vllm:num_requests_running"},
			gWaiting: {"vllm:num_requests_waiting"},
			gKVUsage: {"vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"},
		},
	}
}

// sglangDialect follows python/sglang/srt/metrics/collector.py. SGLang
// calls a preemption a retraction; it counts cached prompt tokens, and
// every prompt token is looked up in its radix cache, so the prompt tokens
// are the prefix-cache queries. It has no prefill, decode or inference
// time histograms.
func sglangDialect() dialect {
	return dialect{
		source: "sglang",
		counters: [numCounters][]string{
			cRequests:         {"sglang:num_requests_total"},
			cPromptTokens:     {"sglang:prompt_tokens_total"},
			cGenerationTokens: {"sglang:generation_tokens_total"},
			cPreemptions:      {"sglang:num_retracted_requests_total"},
			cPrefixQueries:    {"sglang:prompt_tokens_total"},
			cPrefixHits:       {"sglang:cached_tokens_total"},
		},
		histograms: [numHistograms][]string{
			hQueue: {"sglang:queue_time_seconds"},
			hTTFT:  {"sglang:time_to_first_token_seconds"},
			hITL:   {"sglang:inter_token_latency_seconds", "sglang:time_per_output_token_seconds"},
			hE2EL:  {"sglang:e2e_request_latency_seconds"},
		},
		gauges: [numGauges][]string{
			gRunning: {"sglang:num_running_reqs"},
			gWaiting: {"sglang:num_queue_reqs"},
			gKVUsage: {"sglang:token_usage"},
		},
	}
}

// llamaCppDialect follows llama.cpp's server (tools/server/server.cpp,
// with --metrics). It counts neither finished requests, preemptions nor
// prefix-cache lookups and has no histograms; it counts the seconds spent
// on prompt processing and on generation, and reports the KV cache's
// usage as a ratio, the requests in its slots (processing) and those
// waiting for a slot (deferred).
func llamaCppDialect() dialect {
	return dialect{
		source: "llama.cpp",
		counters: [numCounters][]string{
			cPromptTokens:      {"llamacpp:prompt_tokens_total"},
			cGenerationTokens:  {"llamacpp:tokens_predicted_total"},
			cPromptSeconds:     {"llamacpp:prompt_seconds_total"},
			cGenerationSeconds: {"llamacpp:tokens_predicted_seconds_total"},
		},
		gauges: [numGauges][]string{
			gRunning: {"llamacpp:requests_processing"},
			gWaiting: {"llamacpp:requests_deferred"},
			gKVUsage: {"llamacpp:kv_cache_usage_ratio"},
		},
	}
}

// detectDialect picks the dialect whose names the page holds: vLLM's, else
// SGLang's, else llama.cpp's. ok is false when the page holds none.
func detectDialect(s snapshot) (dialect, bool) {
	for _, d := range []dialect{vllmDialect(), sglangDialect(), llamaCppDialect()} {
		if d.matches(s) {
			return d, true
		}
	}
	return dialect{}, false
}

// matches reports whether the page holds any of the dialect's names.
func (d dialect) matches(s snapshot) bool {
	for _, names := range d.counters {
		if s.has(names) {
			return true
		}
	}
	for _, names := range d.histograms {
		if s.has(names) {
			return true
		}
	}
	for _, names := range d.gauges {
		if s.has(names) {
			return true
		}
	}
	return false
}
