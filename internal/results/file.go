package results

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// SchemaVersion is the version of the vllm_bench block. It grows when a field
// changes meaning; readers refuse files from a newer schema.
const SchemaVersion = 1

// File is one point's result file. The top-level fields carry the keys of
// `vllm bench serve --save-result`, in its order and with its units (latency
// arrays in seconds, statistics in milliseconds), so vLLM's own tooling reads
// the file; everything of our own sits under VllmBench.
type File struct {
	Date         string  `json:"date"` // "%Y%m%d-%H%M%S", local time, as vLLM writes it
	EndpointType string  `json:"endpoint_type"`
	Backend      string  `json:"backend"`
	Label        *string `json:"label"`
	ModelID      string  `json:"model_id"`
	TokenizerID  string  `json:"tokenizer_id"`
	NumPrompts   int     `json:"num_prompts"`
	// RequestRate is a number of requests per second, or the string "inf".
	RequestRate       any      `json:"request_rate"`
	Burstiness        float64  `json:"burstiness"`
	MaxConcurrency    int      `json:"max_concurrency"`
	Duration          float64  `json:"duration"`
	Completed         int      `json:"completed"`
	Failed            int      `json:"failed"`
	TotalInputTokens  int      `json:"total_input_tokens"`
	TotalOutputTokens int      `json:"total_output_tokens"`
	RequestThroughput float64  `json:"request_throughput"`
	RequestGoodput    *float64 `json:"request_goodput"`
	OutputThroughput  float64  `json:"output_throughput"`
	// TotalTokenThroughput counts input and output tokens per second.
	TotalTokenThroughput float64 `json:"total_token_throughput"`

	// Per-request arrays, one entry per request in send order (failed ones
	// included with zeros, as vLLM does). Times are in seconds.
	InputLens  []int       `json:"input_lens"`
	OutputLens []int       `json:"output_lens"`
	Ttfts      []float64   `json:"ttfts"`
	Itls       [][]float64 `json:"itls,omitempty"` // only with save_detailed
	Latencies  []float64   `json:"latencies"`
	Errors     []string    `json:"errors"`

	MaxOutputTokensPerS   float64 `json:"max_output_tokens_per_s"`
	MaxConcurrentRequests int     `json:"max_concurrent_requests"`

	MeanTTFTMs   float64 `json:"mean_ttft_ms"`
	MedianTTFTMs float64 `json:"median_ttft_ms"`
	StdTTFTMs    float64 `json:"std_ttft_ms"`
	P90TTFTMs    float64 `json:"p90_ttft_ms"`
	P99TTFTMs    float64 `json:"p99_ttft_ms"`
	MeanTPOTMs   float64 `json:"mean_tpot_ms"`
	MedianTPOTMs float64 `json:"median_tpot_ms"`
	StdTPOTMs    float64 `json:"std_tpot_ms"`
	P90TPOTMs    float64 `json:"p90_tpot_ms"`
	P99TPOTMs    float64 `json:"p99_tpot_ms"`
	MeanITLMs    float64 `json:"mean_itl_ms"`
	MedianITLMs  float64 `json:"median_itl_ms"`
	StdITLMs     float64 `json:"std_itl_ms"`
	P90ITLMs     float64 `json:"p90_itl_ms"`
	P99ITLMs     float64 `json:"p99_itl_ms"`
	MeanE2ELMs   float64 `json:"mean_e2el_ms"`
	MedianE2ELMs float64 `json:"median_e2el_ms"`
	StdE2ELMs    float64 `json:"std_e2el_ms"`
	P90E2ELMs    float64 `json:"p90_e2el_ms"`
	P99E2ELMs    float64 `json:"p99_e2el_ms"`

	VllmBench Meta `json:"vllm_bench"`
}

// Meta is the vllm_bench block: what ran, where, and how.
type Meta struct {
	SchemaVersion int           `json:"schema_version"`
	Run           string        `json:"run"`
	Engine        config.Engine `json:"engine"`
	TP            int           `json:"tp"`
	DP            int           `json:"dp"`
	PP            int           `json:"pp"`
	Point         sweep.Point   `json:"point"`
	Endpoint      string        `json:"endpoint"` // completions | chat
	WarmupPrompts int           `json:"warmup_prompts"`
	Seed          int64         `json:"seed"`
	// PromptMethod says how the prompts got their exact length: token-ids
	// (ids from the server's /tokenize), checked-text (chat text made with
	// /detokenize and checked with /tokenize), counted-text (chat on a
	// server without /detokenize: common words counted with /tokenize) or
	// approx-text (no /tokenize: input_lens are the server's
	// usage.prompt_tokens).
	PromptMethod string `json:"prompt_method,omitempty"`
	// TokenizerAPI names the shape of the server's /tokenize and
	// /detokenize the prompts were made with: vllm ({"prompt": ...}; also
	// SGLang's /tokenize), sglang (/detokenize answers "text") or
	// llama.cpp ({"content": ...}); absent without /tokenize.
	TokenizerAPI string `json:"tokenizer_api,omitempty"`
	// Client is the load generator's own health over the timed rounds:
	// scheduling lag, CPU use, and whether it was saturated, in which case
	// the point's latencies measured the client too and are suspect.
	Client *probe.ClientHealth `json:"client,omitempty"`
	// Host is the machine's own health over the timed rounds: CPU
	// pressure, steal, load, and other processes on the point's GPUs.
	Host *probe.HostHealth `json:"host,omitempty"`
	// EarlyStop is set when bench.precision could end the point's timed
	// rounds early: what was sent and why each round stopped.
	EarlyStop *EarlyStop `json:"early_stop,omitempty"`
	// PeakConcurrentRequests is the exact peak of requests in flight at
	// one instant. The top-level max_concurrent_requests keeps vLLM's
	// number (1-second bins, a request counted in every bin it touches),
	// which over-counts at bin edges, so that files compare with vLLM's.
	PeakConcurrentRequests int `json:"peak_concurrent_requests"`
	// RetriedRequests counts the timed requests that were sent a second
	// time, on a fresh connection, because the server closed the kept-alive
	// connection of the first try before any byte of its answer (uvicorn's
	// idle keep-alive timeout, llama.cpp's server between requests). Their
	// timings start with the second send; none of them is a failure.
	RetriedRequests int `json:"retried_requests,omitempty"`
	// Lengths is what the server's usage said of the prompt and output
	// lengths of the timed requests; a point whose prompts were cut or
	// whose outputs were not output_len long is suspect (Suspicions).
	Lengths *Lengths `json:"lengths,omitempty"`
	// Repeats holds one summary per repeat of the point; the top-level
	// statistics pool the requests of all repeats, and the top-level
	// throughputs are totals over the summed durations.
	Repeats []Repeat `json:"repeats"`
	// QueueTimes is, per request in send order, the seconds it waited in the
	// client between its scheduled arrival and its send (open-loop load only).
	QueueTimes []float64 `json:"queue_times,omitempty"`
	// SettingsSHA256 digests every setting that shapes the measurement
	// besides the point itself (engine, serve options, layout, load
	// options), so that --resume keeps a file only if nothing changed.
	SettingsSHA256 string `json:"settings_sha256,omitempty"`
	// Measurement is the settings that define what the point measured
	// (Measurement's keys); compare refuses to judge a result against a
	// baseline whose settings differ. Absent in files from before it.
	Measurement   Measurement `json:"measurement,omitempty"`
	ServerArgv    []string    `json:"server_argv,omitempty"`
	ServerVersion string      `json:"server_version,omitempty"`
	StartupS      float64     `json:"startup_s,omitempty"`
	CacheWarm     *bool       `json:"cache_warm,omitempty"` // compile cache held this start's model and args
	LogPath       string      `json:"log_path,omitempty"`
	Env           Env         `json:"env"`
	StartTime     string      `json:"start_time"` // RFC 3339
	EndTime       string      `json:"end_time"`   // RFC 3339
	// Error is set when the point could not be measured at all (the server
	// failed to start or died); such files are named <point>.failed.json.
	Error   string   `json:"error,omitempty"`
	LogTail []string `json:"log_tail,omitempty"`
	// ServerMetrics is what the server's Prometheus /metrics said about
	// the timed rounds; absent when the point ran before it was sampled.
	ServerMetrics *probe.ServerMetrics `json:"server_metrics,omitempty"`
	// GPUTelemetry is nvidia-smi's view of the GPUs while the point ran;
	// absent without nvidia-smi.
	GPUTelemetry *probe.GPUTelemetry `json:"gpu_telemetry,omitempty"`
}

// ClientSaturated reports whether the point was measured by a saturated
// client (see probe.ClientHealth.Judge).
func (f *File) ClientSaturated() bool {
	return f.VllmBench.Client != nil && f.VllmBench.Client.Saturated
}

// Repeat summarises one repeat of a point: the values that have one sample
// per repeat (throughputs) plus the medians, for run-to-run statistics.
type Repeat struct {
	DurationS            float64  `json:"duration_s"`
	Completed            int      `json:"completed"`
	Failed               int      `json:"failed"`
	RequestThroughput    float64  `json:"request_throughput"`
	OutputThroughput     float64  `json:"output_throughput"`
	TotalTokenThroughput float64  `json:"total_token_throughput"`
	RequestGoodput       *float64 `json:"request_goodput,omitempty"`
	MedianTTFTMs         float64  `json:"median_ttft_ms"`
	MedianTPOTMs         float64  `json:"median_tpot_ms"`
	MedianITLMs          float64  `json:"median_itl_ms"`
	MedianE2ELMs         float64  `json:"median_e2el_ms"`
}

// Env describes the machine a result was measured on.
type Env struct {
	GPUModel       string `json:"gpu_model,omitempty"`
	GPUDriver      string `json:"gpu_driver,omitempty"`
	GPUCount       int    `json:"gpu_count,omitempty"`
	GPUMemoryMiB   int    `json:"gpu_memory_mib,omitempty"`
	Hostname       string `json:"hostname,omitempty"`
	GitSHA         string `json:"git_sha,omitempty"`
	HarnessVersion string `json:"harness_version,omitempty"`
	ServerVersion  string `json:"server_version,omitempty"`
}
