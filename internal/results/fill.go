package results

import (
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/metrics"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Backend names as vLLM writes them in "backend" and "endpoint_type".
const (
	// BackendCompletions is the backend name of `vllm bench serve` for a vLLM
	// server's completions endpoint (its historical default).
	BackendCompletions = "vllm"
	// BackendChat is vLLM's name of the OpenAI chat completions backend.
	BackendChat = "openai-chat"
)

// Info is what a result file records about how its point was measured,
// besides the metrics.
type Info struct {
	// Model is the served model id.
	Model string
	// Endpoint is loadgen.EndpointCompletions or loadgen.EndpointChat.
	Endpoint string
	// Point is the benchmark point.
	Point sweep.Point
	// Burstiness is the gamma shape of the arrivals.
	Burstiness float64
	// Seed is the seed of prompts and arrivals.
	Seed int64
	// WarmupPrompts is the number of unrecorded warmup requests.
	WarmupPrompts int
	// PromptMethod says how prompts were made (loadgen.Method*).
	PromptMethod string
	// TokenizerAPI is the shape of the server's tokenizer API
	// (loadgen.Tokenizer*).
	TokenizerAPI string
	// Start and End bound the measurement, warmup included.
	Start, End time.Time
}

// FromSummary fills a File from the pooled summary of a point's repeats
// (metrics.Pooled) and the summary of each repeat. The top-level statistics
// are those of the pooled requests; the top-level throughputs and duration
// are totals over the repeats' summed durations; Meta.Repeats keeps one
// entry per repeat. The fields of the server (Meta.Run, Engine, TP, DP, PP,
// Server*, Env, LogPath) are left for the caller.
func FromSummary(pooled metrics.Summary, repeats []metrics.Summary, info Info) *File {
	backend := BackendCompletions
	if info.Endpoint == loadgen.EndpointChat {
		backend = BackendChat
	}
	var rate any = "inf"
	if info.Point.RequestRate > 0 {
		rate = info.Point.RequestRate
	}
	s := pooled
	f := &File{
		Date:                  info.End.Local().Format("20060102-150405"),
		EndpointType:          backend,
		Backend:               backend,
		ModelID:               info.Model,
		TokenizerID:           info.Model,
		NumPrompts:            info.Point.NumPrompts,
		RequestRate:           rate,
		Burstiness:            info.Burstiness,
		MaxConcurrency:        info.Point.Concurrency,
		Duration:              s.DurationS,
		Completed:             s.Completed,
		Failed:                s.Failed,
		TotalInputTokens:      s.TotalInputTokens,
		TotalOutputTokens:     s.TotalOutputTokens,
		RequestThroughput:     s.RequestThroughput,
		RequestGoodput:        s.RequestGoodput,
		OutputThroughput:      s.OutputThroughput,
		TotalTokenThroughput:  s.TotalTokenThroughput,
		InputLens:             s.InputLens,
		OutputLens:            s.OutputLens,
		Ttfts:                 s.TTFTsS,
		Latencies:             s.LatenciesS,
		Errors:                s.Errors,
		MaxOutputTokensPerS:   s.MaxOutputTokensPerS,
		MaxConcurrentRequests: s.MaxConcurrentRequests,
		MeanTTFTMs:            s.TTFT.MeanMs,
		MedianTTFTMs:          s.TTFT.MedianMs,
		StdTTFTMs:             s.TTFT.StdMs,
		P90TTFTMs:             s.TTFT.P90Ms,
		P99TTFTMs:             s.TTFT.P99Ms,
		MeanTPOTMs:            s.TPOT.MeanMs,
		MedianTPOTMs:          s.TPOT.MedianMs,
		StdTPOTMs:             s.TPOT.StdMs,
		P90TPOTMs:             s.TPOT.P90Ms,
		P99TPOTMs:             s.TPOT.P99Ms,
		MeanITLMs:             s.ITL.MeanMs,
		MedianITLMs:           s.ITL.MedianMs,
		StdITLMs:              s.ITL.StdMs,
		P90ITLMs:              s.ITL.P90Ms,
		P99ITLMs:              s.ITL.P99Ms,
		MeanE2ELMs:            s.E2EL.MeanMs,
		MedianE2ELMs:          s.E2EL.MedianMs,
		StdE2ELMs:             s.E2EL.StdMs,
		P90E2ELMs:             s.E2EL.P90Ms,
		P99E2ELMs:             s.E2EL.P99Ms,
	}
	if s.ITLsS != nil {
		f.Itls = make([][]float64, len(s.ITLsS))
		for i, itls := range s.ITLsS {
			f.Itls[i] = make([]float64, len(itls))
			for k, v := range itls {
				f.Itls[i][k] = float64(v)
			}
		}
	}
	m := &f.VllmBench
	m.SchemaVersion = SchemaVersion
	m.Point = info.Point
	m.Endpoint = info.Endpoint
	m.WarmupPrompts = info.WarmupPrompts
	m.Seed = info.Seed
	m.PromptMethod = info.PromptMethod
	m.TokenizerAPI = info.TokenizerAPI
	m.PeakConcurrentRequests = s.PeakConcurrentRequests
	if info.Point.RequestRate > 0 {
		m.QueueTimes = s.QueueS
	}
	if !info.Start.IsZero() {
		m.StartTime = info.Start.Format(time.RFC3339)
	}
	if !info.End.IsZero() {
		m.EndTime = info.End.Format(time.RFC3339)
	}
	m.Repeats = make([]Repeat, len(repeats))
	for i, r := range repeats {
		m.Repeats[i] = Repeat{
			DurationS:            r.DurationS,
			Completed:            r.Completed,
			Failed:               r.Failed,
			RequestThroughput:    r.RequestThroughput,
			OutputThroughput:     r.OutputThroughput,
			TotalTokenThroughput: r.TotalTokenThroughput,
			RequestGoodput:       r.RequestGoodput,
			MedianTTFTMs:         r.TTFT.MedianMs,
			MedianTPOTMs:         r.TPOT.MedianMs,
			MedianITLMs:          r.ITL.MedianMs,
			MedianE2ELMs:         r.E2EL.MedianMs,
		}
	}
	return f
}
