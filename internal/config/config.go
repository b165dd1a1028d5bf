package config

import (
	"strconv"
	"time"
)

// Defaults of optional keys. A key left out of the file takes these values.
const (
	// DefaultEngine is the engine of a run that names none.
	DefaultEngine = EngineVLLM
	// DefaultPort is vLLM's own default port.
	DefaultPort = 8000
	// DefaultGPUMemoryUtilization is vLLM's default share of GPU memory.
	DefaultGPUMemoryUtilization = 0.9
	// DefaultMaxNumSeqs is vLLM's default batch limit.
	DefaultMaxNumSeqs = 256
	// DefaultDtype lets the server pick the model's own dtype.
	DefaultDtype = "auto"
	// DefaultStartupTimeout allows for a cold start of a large model; vLLM's
	// own CI allows 1200 s.
	DefaultStartupTimeout = 20 * time.Minute
	// CacheDirNone as serve.cache_dir keeps no compile cache of the
	// harness's: VLLM_CACHE_ROOT is not set and the server keeps its own.
	CacheDirNone = "none"
	// DefaultCacheDirName is the directory, under the runner's tool cache
	// or the user's cache directory, that holds the compile cache when
	// serve.cache_dir is not set.
	DefaultCacheDirName = "vllm-bench"
	// CacheRootEnv is the environment variable vLLM reads its cache root
	// (torch.compile artifacts among others) from.
	CacheRootEnv = "VLLM_CACHE_ROOT"
	// DefaultOutputDir is where results go when bench.output_dir is not set.
	DefaultOutputDir = "./benchmark_results"
	// DefaultBurstiness gives Poisson arrivals.
	DefaultBurstiness = 1.0
	// DefaultMinPrompts is the fewest timed requests of a point that
	// bench.precision may stop early.
	DefaultMinPrompts = 50
	// DefaultRepeats measures every point once.
	DefaultRepeats = 1
	// DefaultEndpoint is the OpenAI completions API.
	DefaultEndpoint = "completions"
	// DefaultRequestTimeout bounds one request, stream included.
	DefaultRequestTimeout = 10 * time.Minute
	// DefaultStallTimeout ends a point whose streams have received nothing
	// for this long while requests were in flight (a hung server).
	DefaultStallTimeout = 60 * time.Second
)

// Config is a whole benchmark campaign: one file, several runs.
type Config struct {
	// Path is the file the config was loaded from.
	Path string `yaml:"-"`
	// SHA256 is the hex digest of the file's bytes.
	SHA256 string `yaml:"-"`
	Runs   []Run  `yaml:"runs"`

	// lines holds the line of every key written in the file, by path.
	lines map[string]int
}

// Run is one named benchmark: a model served by one engine in one or more
// parallel layouts, each measured at every bench point.
type Run struct {
	Name   string `yaml:"name"`
	Engine Engine `yaml:"engine"`
	Serve  Serve  `yaml:"serve"`
	Bench  Bench  `yaml:"bench"`
	Gate   Gate   `yaml:"gate"`
	// AB, when given, names the reference build of `vllm-bench ab`.
	AB *AB `yaml:"ab"`
	// Line is the line of the run in its file, for messages.
	Line int `yaml:"-"`
}

// Parallel is one tensor/data/pipeline-parallel layout of the server.
type Parallel struct {
	TP int `yaml:"tp"`
	DP int `yaml:"dp"`
	PP int `yaml:"pp"`
}

// Serve holds the server's options.
type Serve struct {
	ModelPath            string  `yaml:"model_path"`
	Port                 int     `yaml:"port"`
	GPUMemoryUtilization float64 `yaml:"gpu_memory_utilization"`
	MaxModelLen          int     `yaml:"max_model_len"`
	MaxNumSeqs           int     `yaml:"max_num_seqs"`
	Dtype                string  `yaml:"dtype"`
	// DisableLogRequests is nil when the key is left out: then no
	// request-logging flag is passed and the server keeps its own default.
	DisableLogRequests   *bool      `yaml:"disable_log_requests"`
	EnableExpertParallel bool       `yaml:"enable_expert_parallel"`
	TPDPPairs            []Parallel `yaml:"tp_dp_pairs"`
	Command              []string   `yaml:"command"`
	// Args are the arguments of an engine custom server after
	// serve.command, with placeholders such as {model} and {port}; see
	// Serve.ExpandArgs.
	Args           []string          `yaml:"args"`
	ExtraArgs      []string          `yaml:"extra_args"`
	Env            map[string]string `yaml:"env"`
	StartupTimeout time.Duration     `yaml:"startup_timeout"`
	BaseURL        string            `yaml:"base_url"`
	// CacheDir is the compile cache kept across server starts, passed to
	// the server as VLLM_CACHE_ROOT: "" means the default (see
	// engine.CacheDir), CacheDirNone none, "~/" the user's home.
	CacheDir string `yaml:"cache_dir"`
	// DistributedExecutorBackend is passed as vLLM's
	// --distributed-executor-backend (mp or ray) when set.
	DistributedExecutorBackend string `yaml:"distributed_executor_backend"`
}

// Bench holds the benchmark grid and the load's options.
type Bench struct {
	OutputDir      string             `yaml:"output_dir"`
	ContextSize    []int              `yaml:"context_size"`
	Concurrency    []int              `yaml:"concurrency"`
	NumPrompts     []int              `yaml:"num_prompts"`
	OutputLen      []int              `yaml:"output_len"`
	RequestRate    []float64          `yaml:"request_rate"`
	Burstiness     float64            `yaml:"burstiness"`
	WarmupPrompts  int                `yaml:"warmup_prompts"`
	Repeats        int                `yaml:"repeats"`
	Seed           int64              `yaml:"seed"`
	Endpoint       string             `yaml:"endpoint"`
	RequestTimeout time.Duration      `yaml:"request_timeout"`
	StallTimeout   time.Duration      `yaml:"stall_timeout"`
	Goodput        map[string]float64 `yaml:"goodput"`
	SaveDetailed   bool               `yaml:"save_detailed"`
	// Precision, when set, stops a point's timed round early: once every
	// gated latency median's 95 % interval is within its target (relative)
	// and at least MinPrompts requests are done, no new request is sent.
	// Its zero value sends every num_prompts.
	Precision  Precision `yaml:"precision"`
	MinPrompts int       `yaml:"min_prompts"`
}

// Precision is bench.precision: a relative half-width such as 0.02 (±2 %)
// that every watched median's 95 % interval must reach, or auto: each
// median's own run-to-run noise, the coefficient of variation the gate
// judges it with (its history, else gate.prior_cv). Past that point more
// requests barely narrow the gate's decision interval, since the noise
// between server starts dominates it. The zero value is off.
type Precision struct {
	// Value is the fixed relative half-width; 0 with Auto.
	Value float64
	// Auto takes each median's target from its run-to-run noise.
	Auto bool
}

// PrecisionAuto is the word that sets Precision.Auto.
const PrecisionAuto = "auto"

// On reports whether a point may stop early.
func (p Precision) On() bool { return p.Auto || p.Value > 0 }

// String prints the precision as the file gives it: auto, or a number.
func (p Precision) String() string {
	if p.Auto {
		return PrecisionAuto
	}
	return strconv.FormatFloat(p.Value, 'g', -1, 64)
}

// Gate holds the regression gate's settings for a run as the file gives
// them: a key left out is nil. The gate package owns their defaults and
// their rules (gate.Resolve, gate.CheckConfig).
type Gate struct {
	Metrics   []string `yaml:"metrics"`
	Tolerance *float64 `yaml:"tolerance"`
	Alpha     *float64 `yaml:"alpha"`
	// PriorCV holds, per gated metric, the run-to-run coefficient of
	// variation assumed until the baselines hold enough history to measure
	// it.
	PriorCV map[string]float64 `yaml:"prior_cv"`
	// OnThrottle says what a regression measured on a throttled GPU does
	// to the check: fail, or warn (gate.OnThrottleWarn when left out).
	OnThrottle string `yaml:"on_throttle"`
	// RequireAllBaselinePoints makes a baseline point that the config does
	// not plan missing (exit 3) instead of a note.
	RequireAllBaselinePoints bool `yaml:"require_all_baseline_points"`
}
