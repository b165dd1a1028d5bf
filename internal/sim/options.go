package sim

import (
	"strings"
	"time"
)

// Version is the version string the simulator reports on --version and on
// GET /version. It reads like a vLLM release so that version checks in the
// harness (for example, which request-logging flag to pass) take the modern
// branch; "+sim" marks it as the simulator.
const Version = "0.11.0+sim"

// Defaults of the vLLM serve flags that the simulator models.
const (
	// DefaultPort is the port vLLM listens on when --port is not given.
	DefaultPort = 8000
	// DefaultHost is the address vLLM binds when --host is not given.
	DefaultHost = "0.0.0.0"
	// DefaultGPUMemoryUtilization is the share of GPU memory vLLM may use
	// for weights, activations and the KV cache.
	DefaultGPUMemoryUtilization = 0.9
	// DefaultMaxModelLen is the context length used when --max-model-len is
	// not given; a real vLLM reads it from the model's config, the simulator
	// assumes an 8k-context model.
	DefaultMaxModelLen = 8192
	// DefaultMaxNumSeqs is the most sequences one replica runs in a step.
	DefaultMaxNumSeqs = 256
	// DefaultMaxNumBatchedTokensLarge is the per-step token budget (chunked
	// prefill) of vLLM V1's API server on GPUs with at least
	// largeGPUMemoryGiB of memory (H100, H200, A100-80GB).
	DefaultMaxNumBatchedTokensLarge = 8192
	// DefaultMaxNumBatchedTokensSmall is the per-step token budget on
	// smaller GPUs (L40S).
	DefaultMaxNumBatchedTokensSmall = 2048
	// DefaultDtype is the --dtype value when none is given; "auto" means
	// bfloat16 for the simulated model.
	DefaultDtype = "auto"
)

// Defaults of the --sim-* flags.
const (
	// DefaultSimSpeedup divides every simulated duration (load time, step
	// times) before it is waited for in wall time.
	DefaultSimSpeedup = 1.0
	// DefaultSimGPU is the simulated accelerator.
	DefaultSimGPU = "h100"
	// DefaultSimParamsB is the simulated model size in billions of
	// parameters (a Llama-like dense model).
	DefaultSimParamsB = 7.0
	// DefaultSimRunCV is the coefficient of variation of the per-process
	// speed factor, drawn once at start: two runs of the same server differ
	// by about this much, like two real server starts do.
	DefaultSimRunCV = 0.01
	// DefaultSimLoadTimeS is the simulated time the server takes to load
	// before it binds its port (divided by the speedup).
	DefaultSimLoadTimeS = 3.0
	// DefaultSimSlowdown multiplies every step time; 1 is the model as
	// calibrated.
	DefaultSimSlowdown = 1.0
	// DefaultSimDrift is the step-time factor reached after an hour of
	// simulated time; 1 is no drift.
	DefaultSimDrift = 1.0
	// DefaultSimKeepaliveTimeoutS is how long, in wall-clock seconds, a
	// kept-alive connection may sit idle before the server closes it:
	// uvicorn's --timeout-keep-alive default, which vLLM's API server keeps.
	DefaultSimKeepaliveTimeoutS = 5.0
)

// largeGPUMemoryGiB is the device memory from which vLLM V1 picks the larger
// default token budget per step.
const largeGPUMemoryGiB = 70

// options is the parsed command line of the simulator. It is built only by
// parseArgs, which fills every default; it is not part of the API (Main is).
type options struct {
	// Model is the positional model name (or --model).
	Model string
	// ServedModelNames are the names the API answers to; the first is the
	// one reported in responses. Empty means Model.
	ServedModelNames []string
	// Host and Port are where the API server listens.
	Host string
	Port int
	// TensorParallel, DataParallel and PipelineParallel are the TP, DP and
	// PP sizes.
	TensorParallel   int
	DataParallel     int
	PipelineParallel int
	// GPUMemoryUtilization is the share of each GPU's memory vLLM may use.
	GPUMemoryUtilization float64
	// MaxModelLen is the longest prompt plus output a request may have.
	MaxModelLen int
	// MaxNumSeqs is the most sequences one replica schedules in a step.
	MaxNumSeqs int
	// MaxNumBatchedTokens is the per-step token budget; 0 means the vLLM V1
	// default for the GPU.
	MaxNumBatchedTokens int
	// Dtype is the weight and KV-cache data type (auto, bfloat16, float16,
	// half, float32, float).
	Dtype string
	// EnableExpertParallel is accepted and recorded; it does not change the
	// dense model.
	EnableExpertParallel bool
	// EnableLogRequests turns on one log line per request.
	EnableLogRequests bool
	// DisableLogRequests is the pre-0.10.1 flag; accepted for old argv.
	DisableLogRequests bool
	// Seed seeds every random draw; nil means a random seed per process.
	Seed *int64

	// SimSpeedup divides all simulated times.
	SimSpeedup float64
	// SimGPU names the simulated accelerator (h100, h200, a100, l40s).
	SimGPU string
	// SimParamsB is the model size in billions of parameters.
	SimParamsB float64
	// SimRunCV is the coefficient of variation of the per-process speed
	// factor.
	SimRunCV float64
	// SimLoadTimeS is the simulated load time in seconds of a start that
	// finds no compiled graphs (a cold compile cache).
	SimLoadTimeS float64
	// SimWarmLoadTimeS is the load time of a start whose compile cache
	// holds its marker; nil means warmLoadShare x SimLoadTimeS.
	SimWarmLoadTimeS *float64
	// CacheRoot is $VLLM_CACHE_ROOT ("": the cache is not modelled) and
	// CacheKey the digest of this start's model and arguments.
	CacheRoot, CacheKey string
	// SimFailStart makes loading fail with a CUDA out-of-memory error.
	SimFailStart bool
	// SimCrashAfter makes the process die once this many generation
	// requests were admitted (0: never).
	SimCrashAfter int
	// SimErrorRate is the share of generation requests answered with HTTP
	// 500.
	SimErrorRate float64
	// SimHangAfter makes the server stop answering anything once this many
	// generation requests were admitted (0: never).
	SimHangAfter int
	// SimSlowdown multiplies every step time.
	SimSlowdown float64
	// SimDrift is the factor by which step times change, linearly, over an
	// hour of simulated time (1: none).
	SimDrift float64
	// SimDriftEpoch, when set, is the wall-clock time the drift counts
	// from, so that it goes on across server starts; nil counts from this
	// process's start.
	SimDriftEpoch *time.Time
	// SimKVTokens overrides the per-replica KV-cache budget in tokens (0:
	// what the GPU's memory holds).
	SimKVTokens int
	// SimKeepaliveTimeoutS closes kept-alive connections idle for this
	// many wall-clock seconds (not divided by the speedup); 0: never.
	SimKeepaliveTimeoutS float64

	// Ignored lists the vLLM flags that were accepted but have no effect in
	// the simulator, in command-line order.
	Ignored []string
}

// defaultOptions returns options with every default filled in.
func defaultOptions() options {
	return options{
		Host:                 DefaultHost,
		Port:                 DefaultPort,
		TensorParallel:       1,
		DataParallel:         1,
		PipelineParallel:     1,
		GPUMemoryUtilization: DefaultGPUMemoryUtilization,
		MaxModelLen:          DefaultMaxModelLen,
		MaxNumSeqs:           DefaultMaxNumSeqs,
		Dtype:                DefaultDtype,
		SimSpeedup:           DefaultSimSpeedup,
		SimGPU:               DefaultSimGPU,
		SimParamsB:           DefaultSimParamsB,
		SimRunCV:             DefaultSimRunCV,
		SimLoadTimeS:         DefaultSimLoadTimeS,
		SimSlowdown:          DefaultSimSlowdown,
		SimDrift:             DefaultSimDrift,
		SimKeepaliveTimeoutS: DefaultSimKeepaliveTimeoutS,
	}
}

// servedName is the model id the API reports.
func (o *options) servedName() string {
	if len(o.ServedModelNames) > 0 {
		return o.ServedModelNames[0]
	}
	return o.Model
}

// servesModel reports whether a request's "model" field names this server;
// an empty name is accepted like vLLM does.
func (o *options) servesModel(name string) bool {
	if name == "" || name == o.Model {
		return true
	}
	for _, n := range o.ServedModelNames {
		if n == name {
			return true
		}
	}
	return false
}

// bytesPerParam is the size of one weight (and one KV element) for the dtype.
func (o *options) bytesPerParam() float64 {
	switch strings.ToLower(o.Dtype) {
	case "float32", "float":
		return 4
	default:
		return 2
	}
}

// batchedTokens is the effective per-step token budget.
func (o *options) batchedTokens(gpu gpuSpec) int {
	if o.MaxNumBatchedTokens > 0 {
		return o.MaxNumBatchedTokens
	}
	if gpu.memoryGiB >= largeGPUMemoryGiB {
		return DefaultMaxNumBatchedTokensLarge
	}
	return DefaultMaxNumBatchedTokensSmall
}
