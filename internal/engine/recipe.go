package engine

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// Recipe is how to start and reach one server.
type Recipe struct {
	// Argv is the command and its arguments; empty for an external server.
	Argv []string
	// Env holds extra KEY=VALUE pairs added to the harness's environment.
	Env []string
	// BaseURL is where the OpenAI-compatible API answers.
	BaseURL string
	// Port is the TCP port the server binds; 0 for an external server.
	Port int
	// HealthPath is polled until it answers 200.
	HealthPath string
	// CacheDir is the compile cache kept across starts (CacheDir); ""
	// when none is.
	CacheDir string
}

// Options adjust a recipe to the machine it runs on.
type Options struct {
	// Executable is this binary's path; the sim engine runs `Executable sim`.
	Executable string
	// VLLMVersion is what `vllm --version` printed, used to pick the
	// request-logging flag; empty means a recent vLLM (>= 0.10.1).
	VLLMVersion string
	// Environ is the environment of the version probe; nil inherits the
	// harness's. Callers pass the one servers get, without secrets.
	Environ []string
	// Getenv reads the harness's environment for the default cache
	// directory; nil reads nothing, and no default cache is kept.
	Getenv func(string) string
}

// Build returns the recipe of a run in one parallel layout.
func Build(run *config.Run, pair config.Parallel, opts Options) (Recipe, error) {
	s := &run.Serve
	r := Recipe{
		Port:       s.Port,
		BaseURL:    "http://127.0.0.1:" + strconv.Itoa(s.Port),
		HealthPath: "/health",
		Env:        envList(s.Env),
	}
	switch run.Engine {
	case config.EngineVLLM:
		cmd := s.Command
		if len(cmd) == 0 {
			cmd = []string{"vllm", "serve"}
		}
		r.Argv = append(append([]string(nil), cmd...), vllmArgs(s, pair, opts.VLLMVersion)...)
	case config.EngineSim:
		if opts.Executable == "" {
			return Recipe{}, fmt.Errorf("engine sim: the path of the vllm-bench binary is unknown")
		}
		r.Argv = append([]string{opts.Executable, "sim"}, vllmArgs(s, pair, "")...)
	case config.EngineSGLang:
		cmd := s.Command
		if len(cmd) == 0 {
			cmd = []string{"python3", "-m", "sglang.launch_server"}
		}
		r.Argv = append(append([]string(nil), cmd...), sglangArgs(s, pair)...)
	case config.EngineCustom:
		if len(s.Command) == 0 {
			return Recipe{}, fmt.Errorf("engine custom: serve.command is required")
		}
		args, err := s.ExpandArgs(pair)
		if err != nil {
			return Recipe{}, fmt.Errorf("engine custom: serve.%w", err)
		}
		r.Argv = append(append([]string(nil), s.Command...), args...)
	case config.EngineExternal:
		r = Recipe{BaseURL: s.BaseURL, HealthPath: "/health", Env: r.Env}
	default:
		return Recipe{}, fmt.Errorf("unknown engine %q", run.Engine)
	}
	r.Argv = append(r.Argv, s.ExtraArgs...)
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if r.CacheDir = CacheDir(run, getenv); r.CacheDir != "" {
		if _, ok := s.Env[config.CacheRootEnv]; !ok {
			r.Env = append(r.Env, config.CacheRootEnv+"="+r.CacheDir)
		}
	}
	return r, nil
}

// vllmArgs are the `vllm serve` arguments after the command: the model,
// then one flag per serve option.
func vllmArgs(s *config.Serve, pair config.Parallel, version string) []string {
	args := []string{
		s.ModelPath,
		"--port", strconv.Itoa(s.Port),
		"--tensor-parallel-size", strconv.Itoa(pair.TP),
		"--data-parallel-size", strconv.Itoa(pair.DP),
		"--pipeline-parallel-size", strconv.Itoa(pair.PP),
		"--gpu-memory-utilization", formatFloat(s.GPUMemoryUtilization),
	}
	if s.MaxModelLen > 0 {
		args = append(args, "--max-model-len", strconv.Itoa(s.MaxModelLen))
	}
	args = append(args,
		"--max-num-seqs", strconv.Itoa(s.MaxNumSeqs),
		"--dtype", s.Dtype,
	)
	if s.EnableExpertParallel {
		args = append(args, "--enable-expert-parallel")
	}
	if s.DistributedExecutorBackend != "" {
		args = append(args, "--distributed-executor-backend", s.DistributedExecutorBackend)
	}
	if flag := requestLogFlag(s.DisableLogRequests, version); flag != "" {
		args = append(args, flag)
	}
	return args
}

// requestLogFlag picks the flag that gives the requested request logging
// on the given vLLM version. Before 0.10.1 vLLM logged every request unless
// told --disable-log-requests; from 0.10.1 on it logs none unless told
// --enable-log-requests, and the old flag is gone in recent releases. With
// no choice in the config (nil) the server's default stands.
func requestLogFlag(disable *bool, version string) string {
	if disable == nil {
		return ""
	}
	if before(version, [3]int{0, 10, 1}) {
		if *disable {
			return "--disable-log-requests"
		}
		return ""
	}
	if !*disable {
		return "--enable-log-requests"
	}
	return ""
}

// sglangArgs are the arguments of SGLang's launch_server.
func sglangArgs(s *config.Serve, pair config.Parallel) []string {
	args := []string{
		"--model-path", s.ModelPath,
		"--port", strconv.Itoa(s.Port),
		"--tp", strconv.Itoa(pair.TP),
		"--dp", strconv.Itoa(pair.DP),
		"--pp-size", strconv.Itoa(pair.PP),
		"--mem-fraction-static", formatFloat(s.GPUMemoryUtilization),
	}
	if s.MaxModelLen > 0 {
		args = append(args, "--context-length", strconv.Itoa(s.MaxModelLen))
	}
	args = append(args,
		"--max-running-requests", strconv.Itoa(s.MaxNumSeqs),
		"--dtype", s.Dtype,
	)
	if s.DisableLogRequests != nil && !*s.DisableLogRequests {
		args = append(args, "--log-requests")
	}
	return args
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// envList turns the serve.env mapping into KEY=VALUE pairs, sorted by key.
func envList(env map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}
