package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Exit codes of Main.
const (
	// ExitOK is returned after a clean shutdown (ctx cancelled), --help and
	// --version.
	ExitOK = 0
	// ExitError is returned for bad flags, a failed start, a port in use
	// and an injected crash.
	ExitError = 1
)

// shutdownGrace is how long in-flight HTTP exchanges get after ctx is
// cancelled before connections are closed.
const shutdownGrace = time.Second

// Main runs the simulator with the arguments that follow `vllm-bench sim`
// (the `vllm serve` command line plus --sim-* flags). It loads for the
// simulated load time, binds the port, serves until ctx is cancelled and
// returns ExitOK; it returns ExitError for bad flags, a failed start or an
// injected crash. Logs go to stderr; --help and --version print to stdout.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	switch {
	case errors.Is(err, errHelp):
		writeHelp(stdout)
		return ExitOK
	case errors.Is(err, errVersion):
		fmt.Fprintln(stdout, Version)
		return ExitOK
	}
	lg := newLogger(stderr)
	var ae *argError
	if errors.As(err, &ae) {
		fmt.Fprintln(stderr, "usage: vllm serve [model_tag] [options]")
		fmt.Fprintf(stderr, "vllm serve: error: %s\n", ae.msg)
		return ExitError
	}
	if err != nil {
		lg.errorf("arg_utils.py", "ValueError: %v", err)
		return ExitError
	}
	o.CacheRoot, o.CacheKey = os.Getenv(cacheRootEnv), cacheKey(args)
	return serve(ctx, o, lg)
}

// serve runs the start-up sequence and the server's life.
func serve(ctx context.Context, o options, lg *logger) int {
	seed := rand.Uint64()
	if o.Seed != nil {
		seed = uint64(*o.Seed)
	}
	logStartup(lg, &o)
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if err := checkPortFree(addr); err != nil {
		lg.errorf("api_server.py", "%v", err)
		return ExitError
	}
	p, planErr := newPlan(&o)
	if o.SimFailStart && planErr == nil {
		planErr = &loadError{oom: true, msg: oomMessage(p.gpu, p.kv.weightsGiBPerGPU)}
	}
	warm := cacheWarm(o.CacheRoot, o.CacheKey)
	loadTimeS := o.loadTimeS(warm)
	loadS := loadTimeS / o.SimSpeedup
	lg.infof("gpu_model_runner.py", "Starting to load model %s...", o.Model)
	if !sleepCtx(ctx, 0.6*loadS) {
		return ExitOK
	}
	if le := (*loadError)(nil); errors.As(planErr, &le) && le.oom {
		logEngineFailure(lg, le.msg)
		return ExitError
	}
	lg.infof("gpu_model_runner.py", "Model loading took %.4f GiB and %.6f seconds", p.kv.weightsGiBPerGPU, 0.6*loadTimeS)
	if !sleepCtx(ctx, 0.4*loadS) {
		return ExitOK
	}
	if planErr != nil {
		logEngineFailure(lg, "ValueError: "+planErr.Error())
		return ExitError
	}
	logCompile(lg, &o, warm, 0.4*loadTimeS)
	lg.infof("gpu_worker.py", "Available KV cache memory: %.2f GiB", p.kv.freeGiB)
	if p.kvOverridden {
		lg.infof("kv_cache_utils.py", "GPU KV cache size: %s tokens (sim: set by --sim-kv-tokens)", withCommas(p.kv.tokens))
	} else {
		lg.infof("kv_cache_utils.py", "GPU KV cache size: %s tokens", withCommas(p.kv.tokens))
	}
	lg.infof("kv_cache_utils.py", "Maximum concurrency for %s tokens per request: %.2fx",
		withCommas(o.MaxModelLen), float64(p.kv.tokens)/float64(o.MaxModelLen))
	lg.infof("core.py", "init engine (profile, create kv cache, warmup model) took %.2f seconds", 0.4*loadTimeS)

	speed := speedFactor(newRand(seed, 0), o.SimRunCV)
	lg.infof("sim", "simulated %s x %d (TP %d, PP %d, DP %d), %.3gB params, speed factor %.4f, seed %d",
		p.gpu.name, o.TensorParallel*o.PipelineParallel*o.DataParallel, o.TensorParallel, o.PipelineParallel,
		o.DataParallel, o.SimParamsB, speed, seed)
	if o.SimDrift != 1 && o.SimDriftEpoch != nil {
		lg.infof("sim", "step times drift linearly to %gx after %g simulated seconds counted from %s (--sim-drift, --sim-drift-epoch)", o.SimDrift, driftPeriodS, o.SimDriftEpoch.UTC().Format(time.RFC3339))
	} else if o.SimDrift != 1 {
		lg.infof("sim", "step times drift linearly to %gx after %g simulated seconds (--sim-drift)", o.SimDrift, driftPeriodS)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		lg.errorf("api_server.py", "%v", bindError(o, err))
		return ExitError
	}
	s := newServer(o, p, lg, seed, speed)
	s.start()
	defer s.stop()
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: keepaliveTimeout(o)}
	lg.infof("api_server.py", "Starting vLLM API server 0 on http://%s", addr)
	lg.uvicornf("Started server process [%d]", os.Getpid())
	lg.uvicornf("Waiting for application startup.")
	lg.uvicornf("Application startup complete.")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case <-ctx.Done():
		lg.uvicornf("Shutting down")
		s.cancel() // release streaming handlers so that Shutdown can finish
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
		}
		lg.uvicornf("Application shutdown complete.")
		lg.uvicornf("Finished server process [%d]", os.Getpid())
		return ExitOK
	case <-s.faults.crashed:
		logCrash(lg, s.faults.admitted.Load())
		_ = srv.Close()
		return ExitError
	case err := <-served:
		lg.errorf("api_server.py", "server stopped: %v", err)
		return ExitError
	}
}

// sleepCtx waits d seconds; false when ctx was cancelled first.
func sleepCtx(ctx context.Context, seconds float64) bool {
	if seconds <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(time.Duration(seconds * float64(time.Second)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// checkPortFree fails early, like vLLM does before loading, when the port
// is taken; the port is bound for real only once loading is done, so that
// connections are refused until then.
func checkPortFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("OSError: [Errno 98] error while attempting to bind on address %s: address already in use (%v)", addr, err)
	}
	return ln.Close()
}

func bindError(o options, err error) error {
	return fmt.Errorf("OSError: [Errno 98] error while attempting to bind on address ('%s', %d): %v", o.Host, o.Port, err)
}

// logStartup writes the lines vLLM logs before loading.
func logStartup(lg *logger, o *options) {
	lg.infof("api_server.py", "vLLM API server version %s", Version)
	lg.infof("utils.py", "non-default args: {'model_tag': '%s', 'port': %d, 'tensor_parallel_size': %d, 'data_parallel_size': %d, 'pipeline_parallel_size': %d, 'max_model_len': %d, 'max_num_seqs': %d}",
		o.Model, o.Port, o.TensorParallel, o.DataParallel, o.PipelineParallel, o.MaxModelLen, o.MaxNumSeqs)
	if len(o.Ignored) > 0 {
		lg.warnf("arg_utils.py", "sim: ignoring flags that have no effect in the simulator: %s", strings.Join(o.Ignored, ", "))
	}
	if o.DisableLogRequests {
		lg.warnf("arg_utils.py", "`--disable-log-requests` is deprecated and has been replaced with `--enable-log-requests`. Requests are not logged by default.")
	}
	dtype := o.Dtype
	if dtype == "auto" {
		dtype = "bfloat16"
	}
	lg.infof("model.py", "Resolved architecture: LlamaForCausalLM")
	lg.infof("model.py", "Using max model len %d", o.MaxModelLen)
	lg.infof("config.py", "dtype %s, tensor_parallel_size=%d, pipeline_parallel_size=%d, data_parallel_size=%d, enable_expert_parallel=%s",
		dtype, o.TensorParallel, o.PipelineParallel, o.DataParallel, pyBool(o.EnableExpertParallel))
}

// logCompile writes what vLLM says of its torch.compile cache and keeps
// the marker of a cold start, so that the next start with the same model
// and arguments is warm.
func logCompile(lg *logger, o *options, warm bool, compileS float64) {
	if o.CacheRoot == "" {
		return
	}
	dir := filepath.Dir(markerPath(o.CacheRoot, o.CacheKey))
	lg.infof("backends.py", "Using cache directory: %s for vLLM's torch.compile", dir)
	if warm {
		lg.infof("backends.py", "Directly load the compiled graph(s) for dynamic shape from the cache, took %.3f s", compileS)
		return
	}
	lg.infof("backends.py", "Compiling a graph for dynamic shape takes %.2f s", compileS)
	if err := keepCompiled(o.CacheRoot, o.CacheKey); err != nil {
		lg.warnf("backends.py", "could not save the compiled graph to the cache: %v", err)
	}
}

// logEngineFailure writes the traceback vLLM prints when the engine core
// fails to start.
func logEngineFailure(lg *logger, cause string) {
	lg.errorf("core.py", "EngineCore failed to start.\nTraceback (most recent call last):\n  File \"vllm/v1/engine/core.py\", line 699, in run_engine_core\n    engine_core = EngineCoreProc(*args, **kwargs)\n  File \"vllm/v1/worker/gpu_model_runner.py\", line 2020, in load_model\n    self.model = model_loader.load_model(\n%s", cause)
	lg.errorf("core_client.py", "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {'EngineCore_DP0': 1}")
}

// logCrash writes what vLLM prints when the engine core dies mid-flight.
func logCrash(lg *logger, admitted int64) {
	lg.errorf("core.py", "EngineCore encountered a fatal error.\nTraceback (most recent call last):\n  File \"vllm/v1/engine/core.py\", line 701, in run_engine_core\n    engine_core.run_busy_loop()\nRuntimeError: CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.")
	lg.errorf("async_llm.py", "AsyncLLM output_handler failed. (sim: crash injected by --sim-crash-after after %d admitted requests)", admitted)
	lg.errorf("core_client.py", "Engine core proc EngineCore_DP0 died unexpectedly, shutting down client.")
}

// withCommas formats n with thousands separators, like vLLM's logs.
func withCommas(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// keepaliveTimeout is the http.Server's IdleTimeout for
// --sim-keepalive-timeout; a negative one is none.
func keepaliveTimeout(o options) time.Duration {
	if o.SimKeepaliveTimeoutS == 0 {
		return -1
	}
	return time.Duration(o.SimKeepaliveTimeoutS * float64(time.Second))
}
