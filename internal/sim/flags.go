package sim

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// errHelp and errVersion are returned by parseArgs when --help or --version
// was asked for; they are requests, not failures.
var (
	errHelp    = errors.New("help requested")
	errVersion = errors.New("version requested")
)

// argError is a command-line error in the style of Python's argparse, which
// vLLM reports as "vllm serve: error: ...".
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

// valueError is a value that parsed but that vLLM's engine arguments reject
// ("ValueError: ...").
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

func argErrorf(format string, args ...any) error {
	return &argError{fmt.Sprintf(format, args...)}
}

func valueErrorf(format string, args ...any) error {
	return &valueError{fmt.Sprintf(format, args...)}
}

// flagKind says how a flag takes its value.
type flagKind int

const (
	boolFlag  flagKind = iota // no value, or --flag=true|false
	valueFlag                 // exactly one value
	multiFlag                 // one or more values (--served-model-name)
)

// flagDef is one flag the simulator understands.
type flagDef struct {
	names []string // long name first, then aliases
	kind  flagKind
	def   string // default, for --help
	help  string
	set   func(o *options, v string) error
}

// flagDefs lists the flags the simulator models, in --help order.
func flagDefs() []flagDef {
	return []flagDef{
		{[]string{"--model"}, valueFlag, "", "model name (same as the positional MODEL)",
			func(o *options, v string) error { o.Model = v; return nil }},
		{[]string{"--served-model-name"}, multiFlag, "MODEL", "names the API answers to; the first is reported",
			func(o *options, v string) error { o.ServedModelNames = append(o.ServedModelNames, v); return nil }},
		{[]string{"--host"}, valueFlag, DefaultHost, "address to listen on",
			func(o *options, v string) error { o.Host = v; return nil }},
		{[]string{"--port"}, valueFlag, strconv.Itoa(DefaultPort), "port to listen on",
			intSetter("--port", func(o *options, n int) { o.Port = n })},
		{[]string{"--tensor-parallel-size", "-tp"}, valueFlag, "1", "tensor-parallel size (GPUs per stage)",
			intSetter("--tensor-parallel-size/-tp", func(o *options, n int) { o.TensorParallel = n })},
		{[]string{"--data-parallel-size", "-dp"}, valueFlag, "1", "data-parallel replicas, each with its own scheduler",
			intSetter("--data-parallel-size/-dp", func(o *options, n int) { o.DataParallel = n })},
		{[]string{"--pipeline-parallel-size", "-pp"}, valueFlag, "1", "pipeline-parallel stages",
			intSetter("--pipeline-parallel-size/-pp", func(o *options, n int) { o.PipelineParallel = n })},
		{[]string{"--gpu-memory-utilization"}, valueFlag, "0.9", "share of GPU memory for weights, activations and KV cache",
			floatSetter("--gpu-memory-utilization", func(o *options, f float64) { o.GPUMemoryUtilization = f })},
		{[]string{"--max-model-len"}, valueFlag, strconv.Itoa(DefaultMaxModelLen), "longest prompt plus output",
			intSetter("--max-model-len", func(o *options, n int) { o.MaxModelLen = n })},
		{[]string{"--max-num-seqs"}, valueFlag, strconv.Itoa(DefaultMaxNumSeqs), "most sequences per step",
			intSetter("--max-num-seqs", func(o *options, n int) { o.MaxNumSeqs = n })},
		{[]string{"--max-num-batched-tokens"}, valueFlag, "8192 (2048 below 70 GiB)", "token budget per step (chunked prefill)",
			intSetter("--max-num-batched-tokens", func(o *options, n int) { o.MaxNumBatchedTokens = n })},
		{[]string{"--dtype"}, valueFlag, DefaultDtype, "auto, bfloat16, float16, half, float32 or float",
			func(o *options, v string) error { o.Dtype = v; return nil }},
		{[]string{"--enable-expert-parallel"}, boolFlag, "false", "accepted; the simulated model is dense",
			boolSetter(func(o *options, b bool) { o.EnableExpertParallel = b })},
		{[]string{"--enable-log-requests"}, boolFlag, "false", "log one line per request",
			boolSetter(func(o *options, b bool) { o.EnableLogRequests = b })},
		{[]string{"--disable-log-requests"}, boolFlag, "false", "deprecated (vLLM < 0.10.1); requests are not logged by default",
			boolSetter(func(o *options, b bool) { o.DisableLogRequests = b })},
		{[]string{"--seed"}, valueFlag, "random", "seed of every random draw",
			func(o *options, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return argErrorf("argument --seed: invalid int value: '%s'", v)
				}
				o.Seed = &n
				return nil
			}},
		{[]string{"--sim-speedup"}, valueFlag, "1", "divide every simulated time by this factor",
			floatSetter("--sim-speedup", func(o *options, f float64) { o.SimSpeedup = f })},
		{[]string{"--sim-gpu"}, valueFlag, DefaultSimGPU, "simulated GPU: h100, h200, a100 or l40s",
			func(o *options, v string) error { o.SimGPU = strings.ToLower(v); return nil }},
		{[]string{"--sim-params-b"}, valueFlag, "7", "model size in billions of parameters",
			floatSetter("--sim-params-b", func(o *options, f float64) { o.SimParamsB = f })},
		{[]string{"--sim-run-cv"}, valueFlag, "0.01", "spread of the per-process speed factor (drawn once)",
			floatSetter("--sim-run-cv", func(o *options, f float64) { o.SimRunCV = f })},
		{[]string{"--sim-load-time"}, valueFlag, "3", "simulated load time in seconds before the port opens",
			floatSetter("--sim-load-time", func(o *options, f float64) { o.SimLoadTimeS = f })},
		{[]string{"--sim-warm-load-time"}, valueFlag, "0.3 x --sim-load-time", "load time when $VLLM_CACHE_ROOT holds the marker of an earlier start with the same model and arguments",
			floatSetter("--sim-warm-load-time", func(o *options, f float64) { o.SimWarmLoadTimeS = &f })},
		{[]string{"--sim-fail-start"}, boolFlag, "false", "fail while loading with a CUDA out-of-memory error",
			boolSetter(func(o *options, b bool) { o.SimFailStart = b })},
		{[]string{"--sim-crash-after"}, valueFlag, "0", "exit non-zero once N generation requests were admitted",
			intSetter("--sim-crash-after", func(o *options, n int) { o.SimCrashAfter = n })},
		{[]string{"--sim-error-rate"}, valueFlag, "0", "share of generation requests answered with HTTP 500",
			floatSetter("--sim-error-rate", func(o *options, f float64) { o.SimErrorRate = f })},
		{[]string{"--sim-hang-after"}, valueFlag, "0", "stop answering anything once N generation requests were admitted",
			intSetter("--sim-hang-after", func(o *options, n int) { o.SimHangAfter = n })},
		{[]string{"--sim-slowdown"}, valueFlag, "1", "multiply every step time (an injected regression)",
			floatSetter("--sim-slowdown", func(o *options, f float64) { o.SimSlowdown = f })},
		{[]string{"--sim-drift"}, valueFlag, "1", "step-time factor reached after an hour of simulated time, linear (a drifting GPU)",
			floatSetter("--sim-drift", func(o *options, f float64) { o.SimDrift = f })},
		{[]string{"--sim-drift-epoch"}, valueFlag, "the process's start", "wall-clock time the drift counts from, Unix seconds or RFC 3339 (the same value in every start makes the drift go on across starts; vllm-bench sim also reads " + DriftEpochEnv + ")",
			func(o *options, v string) error {
				t, err := parseEpoch(v)
				if err != nil {
					return argErrorf("argument --sim-drift-epoch: %v", err)
				}
				o.SimDriftEpoch = &t
				return nil
			}},
		{[]string{"--sim-kv-tokens"}, valueFlag, "from GPU memory", "KV-cache budget per replica in tokens (small values force preemptions)",
			intSetter("--sim-kv-tokens", func(o *options, n int) { o.SimKVTokens = n })},
		{[]string{"--sim-keepalive-timeout"}, valueFlag, "5", "close kept-alive connections idle for this many wall-clock seconds, as uvicorn does; 0: never",
			floatSetter("--sim-keepalive-timeout", func(o *options, f float64) { o.SimKeepaliveTimeoutS = f })},
	}
}

// DriftEpochEnv names the environment variable `vllm-bench sim` reads as
// --sim-drift-epoch when the flag is not given, so that a workflow sets
// one epoch for every server it starts.
const DriftEpochEnv = "VLLM_BENCH_SIM_DRIFT_EPOCH"

// parseEpoch reads a wall-clock time as Unix seconds (fractions allowed)
// or RFC 3339.
func parseEpoch(v string) (time.Time, error) {
	if s, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(s, 0) && !math.IsNaN(s) {
		sec, frac := math.Modf(s)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("want Unix seconds or an RFC 3339 time such as 2026-01-02T15:04:05Z, got '%s'", v)
	}
	return t, nil
}

func intSetter(name string, set func(*options, int)) func(*options, string) error {
	return func(o *options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return argErrorf("argument %s: invalid int value: '%s'", name, v)
		}
		set(o, n)
		return nil
	}
}

func floatSetter(name string, set func(*options, float64)) func(*options, string) error {
	return func(o *options, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return argErrorf("argument %s: invalid float value: '%s'", name, v)
		}
		set(o, f)
		return nil
	}
}

func boolSetter(set func(*options, bool)) func(*options, string) error {
	return func(o *options, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return argErrorf("invalid boolean value: '%s'", v)
		}
		set(o, b)
		return nil
	}
}

// isKnownBoolVLLMFlag reports whether an unmodelled vLLM flag takes no value,
// so that the argument after it (often the model) is not swallowed.
func isKnownBoolVLLMFlag(name string) bool {
	if strings.HasPrefix(name, "--no-") {
		return true
	}
	switch name {
	case "--trust-remote-code", "--enforce-eager", "--enable-prefix-caching",
		"--enable-chunked-prefill", "--disable-log-stats", "--disable-custom-all-reduce",
		"--enable-lora", "--enable-auto-tool-choice", "--disable-uvicorn-access-log",
		"--enable-prompt-tokens-details", "--enable-server-load-tracking",
		"--enable-force-include-usage", "--headless", "--enable-sleep-mode",
		"--disable-frontend-multiprocessing", "--enable-request-id-headers",
		"--async-scheduling", "--skip-tokenizer-init", "--enable-log-outputs",
		"--disable-fastapi-docs", "--return-tokens-as-token-ids",
		"--disable-sliding-window", "--disable-cascade-attn", "--enable-eplb",
		"--enable-dbo", "--use-tqdm-on-load", "--disable-mm-preprocessor-cache",
		"--calculate-kv-scales", "--ray-workers-use-nsight", "--enable-tokenizer-info-endpoint":
		return true
	}
	return false
}

// parseArgs parses the `vllm serve` command line (everything after "sim").
// It returns errHelp or errVersion when asked, an *argError for malformed
// arguments and a *valueError for values vLLM would reject.
func parseArgs(args []string) (options, error) {
	o := defaultOptions()
	defs := flagDefs()
	byName := make(map[string]*flagDef, 2*len(defs))
	for i := range defs {
		for _, n := range defs[i].names {
			byName[n] = &defs[i]
		}
	}
	seenIgnored := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if o.Model != "" {
				return o, argErrorf("unrecognized arguments: %s", a)
			}
			o.Model = a
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch name {
		case "-h", "--help":
			return o, errHelp
		case "--version":
			return o, errVersion
		}
		def, ok := byName[name]
		if !ok {
			if strings.HasPrefix(name, "--sim-") {
				return o, argErrorf("unrecognized arguments: %s", a)
			}
			shown := a
			if !hasVal && !isKnownBoolVLLMFlag(name) && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				shown = a + " " + args[i]
			}
			if !seenIgnored[name] {
				seenIgnored[name] = true
				o.Ignored = append(o.Ignored, shown)
			}
			continue
		}
		switch def.kind {
		case boolFlag:
			if !hasVal {
				val = "true"
			}
			if err := def.set(&o, val); err != nil {
				return o, argErrorf("argument %s: %v", def.names[0], err)
			}
		case valueFlag:
			if !hasVal {
				if i+1 >= len(args) || strings.HasPrefix(args[i+1], "--") {
					return o, argErrorf("argument %s: expected one argument", strings.Join(def.names, "/"))
				}
				i++
				val = args[i]
			}
			if err := def.set(&o, val); err != nil {
				return o, err
			}
		case multiFlag:
			vals := []string{}
			if hasVal {
				vals = append(vals, val)
			} else {
				for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
					i++
					vals = append(vals, args[i])
				}
			}
			if len(vals) == 0 {
				return o, argErrorf("argument %s: expected at least one argument", def.names[0])
			}
			for _, v := range vals {
				if err := def.set(&o, v); err != nil {
					return o, err
				}
			}
		}
	}
	if o.Model == "" {
		return o, argErrorf("the following arguments are required: model_tag")
	}
	return o, validate(&o)
}

// validate rejects values that vLLM's engine arguments would reject, and
// impossible --sim-* values.
func validate(o *options) error {
	switch {
	case o.Port < 1 || o.Port > 65535:
		return valueErrorf("port must be in [1, 65535], got %d", o.Port)
	case o.TensorParallel < 1:
		return valueErrorf("tensor_parallel_size must be a positive integer, got %d", o.TensorParallel)
	case o.DataParallel < 1:
		return valueErrorf("data_parallel_size must be a positive integer, got %d", o.DataParallel)
	case o.PipelineParallel < 1:
		return valueErrorf("pipeline_parallel_size must be a positive integer, got %d", o.PipelineParallel)
	case o.GPUMemoryUtilization <= 0 || o.GPUMemoryUtilization > 1:
		return valueErrorf("GPU memory utilization must be within (0, 1]. Got %g.", o.GPUMemoryUtilization)
	case o.MaxModelLen < 1:
		return valueErrorf("max_model_len must be a positive integer, got %d", o.MaxModelLen)
	case o.MaxNumSeqs < 1:
		return valueErrorf("max_num_seqs must be a positive integer, got %d", o.MaxNumSeqs)
	case o.MaxNumBatchedTokens < 0:
		return valueErrorf("max_num_batched_tokens must be a positive integer, got %d", o.MaxNumBatchedTokens)
	case o.MaxNumBatchedTokens > 0 && o.MaxNumBatchedTokens < o.MaxNumSeqs:
		return valueErrorf("max_num_batched_tokens (%d) must be greater than or equal to max_num_seqs (%d).",
			o.MaxNumBatchedTokens, o.MaxNumSeqs)
	case o.SimSpeedup <= 0:
		return valueErrorf("--sim-speedup must be > 0, got %g", o.SimSpeedup)
	case o.SimParamsB <= 0 || o.SimParamsB > 10000:
		return valueErrorf("--sim-params-b must be in (0, 10000], got %g", o.SimParamsB)
	case o.SimRunCV < 0 || o.SimRunCV >= 1:
		return valueErrorf("--sim-run-cv must be in [0, 1), got %g", o.SimRunCV)
	case o.SimLoadTimeS < 0:
		return valueErrorf("--sim-load-time must be >= 0, got %g", o.SimLoadTimeS)
	case o.SimWarmLoadTimeS != nil && *o.SimWarmLoadTimeS < 0:
		return valueErrorf("--sim-warm-load-time must be >= 0, got %g", *o.SimWarmLoadTimeS)
	case o.SimCrashAfter < 0:
		return valueErrorf("--sim-crash-after must be >= 0, got %d", o.SimCrashAfter)
	case o.SimErrorRate < 0 || o.SimErrorRate > 1:
		return valueErrorf("--sim-error-rate must be in [0, 1], got %g", o.SimErrorRate)
	case o.SimHangAfter < 0:
		return valueErrorf("--sim-hang-after must be >= 0, got %d", o.SimHangAfter)
	case o.SimSlowdown <= 0:
		return valueErrorf("--sim-slowdown must be > 0, got %g", o.SimSlowdown)
	case o.SimDrift <= 0 || o.SimDrift > 100:
		return valueErrorf("--sim-drift must be in (0, 100], got %g", o.SimDrift)
	case o.SimKeepaliveTimeoutS < 0 || math.IsNaN(o.SimKeepaliveTimeoutS) || math.IsInf(o.SimKeepaliveTimeoutS, 0):
		return valueErrorf("--sim-keepalive-timeout must be a number of seconds >= 0, got %g", o.SimKeepaliveTimeoutS)
	case o.SimKVTokens < 0:
		return valueErrorf("--sim-kv-tokens must be >= 0, got %d", o.SimKVTokens)
	case o.SimKVTokens > 0 && o.SimKVTokens < kvBlockTokens:
		return valueErrorf("--sim-kv-tokens must be at least one KV block (%d tokens), got %d", kvBlockTokens, o.SimKVTokens)
	}
	switch strings.ToLower(o.Dtype) {
	case "auto", "bfloat16", "float16", "half", "float32", "float":
	default:
		return argErrorf("argument --dtype: invalid choice: '%s' (choose from 'auto', 'bfloat16', 'float', 'float16', 'float32', 'half')", o.Dtype)
	}
	if _, ok := lookupGPU(o.SimGPU); !ok {
		return argErrorf("argument --sim-gpu: invalid choice: '%s' (choose from 'a100', 'h100', 'h200', 'l40s')", o.SimGPU)
	}
	return nil
}

// writeHelp prints the usage and the flags the simulator models.
func writeHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: vllm-bench sim MODEL [vLLM serve flags] [--sim-* flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "A vLLM stand-in: an OpenAI-compatible server whose timing comes from a GPU")
	fmt.Fprintln(w, "performance model. Other vLLM serve flags are accepted and ignored.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "flags (default in brackets):")
	for _, d := range flagDefs() {
		name := strings.Join(d.names, ", ")
		if d.kind != boolFlag {
			name += " VALUE"
		}
		fmt.Fprintf(w, "  %-36s %s [%s]\n", name, d.help, d.def)
	}
	fmt.Fprintf(w, "  %-36s %s\n", "--version", "print the version and exit")
	fmt.Fprintf(w, "  %-36s %s\n", "-h, --help", "print this help and exit")
}
