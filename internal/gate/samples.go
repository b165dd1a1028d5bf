package gate

import "github.com/vllm-bench-action/vllm-bench-action/internal/results"

// ok reports whether request i of f succeeded: it has no error and a
// positive latency (vLLM keeps failed requests in the arrays as zeros).
func ok(f *results.File, i int) bool {
	if i < len(f.Errors) && f.Errors[i] != "" {
		return false
	}
	return i < len(f.Latencies) && f.Latencies[i] > 0
}

// ttftSamples returns the time to first token of each successful request,
// in milliseconds.
func ttftSamples(f *results.File) []float64 { return okMs(f, f.Ttfts) }

// e2elSamples returns the end-to-end latency of each successful request, in
// milliseconds.
func e2elSamples(f *results.File) []float64 { return okMs(f, f.Latencies) }

// okMs returns the entries of a per-request array in seconds that belong to
// successful requests, in milliseconds.
func okMs(f *results.File, perRequestS []float64) []float64 {
	var out []float64
	for i, v := range perRequestS {
		if ok(f, i) {
			out = append(out, v*1000)
		}
	}
	return out
}

// tpotSamples returns each successful request's time per output token after
// the first, (latency - ttft) / (output_len - 1), in milliseconds, for
// requests with more than one output token, as vLLM computes it.
func tpotSamples(f *results.File) []float64 {
	var out []float64
	for i, l := range f.Latencies {
		if !ok(f, i) || i >= len(f.Ttfts) || i >= len(f.OutputLens) || f.OutputLens[i] <= 1 {
			continue
		}
		out = append(out, (l-f.Ttfts[i])/float64(f.OutputLens[i]-1)*1000)
	}
	return out
}

// itlSamples returns the pooled inter-token latencies of all requests in
// milliseconds; empty unless the run saved them (bench.save_detailed).
func itlSamples(f *results.File) []float64 {
	var out []float64
	for i, itls := range f.Itls {
		if !ok(f, i) {
			continue
		}
		for _, v := range itls {
			out = append(out, v*1000)
		}
	}
	return out
}

// repeatValues returns a sampler of one value per repeat; a file without
// repeat summaries counts as one repeat with its top-level value.
func repeatValues(get func(results.Repeat) (float64, bool), top func(*results.File) (float64, bool)) func(*results.File) []float64 {
	return func(f *results.File) []float64 {
		var out []float64
		for _, r := range f.VllmBench.Repeats {
			if v, ok := get(r); ok {
				out = append(out, v)
			}
		}
		if len(f.VllmBench.Repeats) == 0 {
			if v, ok := top(f); ok {
				out = append(out, v)
			}
		}
		return out
	}
}
