package app

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// benchSynopsis is the usage line of the bench command.
const benchSynopsis = "--base-url URL --context-size N --concurrency C --num-prompts P --output-len O --out FILE [flags]"

// cmdBench measures one point against a running server, writes its result
// file and prints a short summary. It exits ExitInvalid for bad flags,
// ExitInfra when the server cannot be reached or every request failed, and
// ExitRegression when some requests failed (the file is written all the
// same), as run does.
func cmdBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "bench", benchSynopsis)
	baseURL := fs.String("base-url", "", "server root, e.g. http://127.0.0.1:8000 (required)")
	model := fs.String("model", "", "model id (default: the first id of GET /v1/models)")
	ctxSize := fs.Int("context-size", 0, "input tokens of every prompt (required)")
	concurrency := fs.Int("concurrency", 0, "most requests in flight (required)")
	numPrompts := fs.Int("num-prompts", 0, "timed requests per repeat (required)")
	outputLen := fs.Int("output-len", 0, "output tokens of every request, sent with ignore_eos (required)")
	rate := fs.String("request-rate", "inf", "mean arrivals per second, or inf for all at once")
	burstiness := fs.Float64("burstiness", 1, "gamma shape of the arrival gaps; 1 is Poisson")
	endpoint := fs.String("endpoint", loadgen.EndpointCompletions, "completions or chat")
	warmup := fs.Int("warmup-prompts", 0, "unrecorded requests sent first")
	repeats := fs.Int("repeats", 1, "timed rounds of num-prompts requests")
	seed := fs.Int64("seed", 0, "seed of prompts and arrivals")
	goodput := fs.String("goodput", "", "SLOs in ms for goodput, e.g. ttft:500,tpot:50 (keys ttft, tpot, e2el)")
	saveDetailed := fs.Bool("save-detailed", false, "keep every request's ITLs in the file")
	timeout := fs.Duration("timeout", loadgen.DefaultRequestTimeout, "limit of one request, stream included")
	stall := fs.Duration("stall-timeout", loadgen.DefaultStallTimeout, "end the point when no stream received anything for this long")
	out := fs.String("out", "", "result file to write (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec := runner.Spec{
		BaseURL: *baseURL, Model: *model, Endpoint: *endpoint, Burstiness: *burstiness,
		WarmupPrompts: *warmup, Repeats: *repeats, Seed: *seed, RequestTimeout: *timeout, StallTimeout: *stall,
		SaveDetailed: *saveDetailed, APIKey: env.Getenv("OPENAI_API_KEY"), HarnessVersion: Version, Observer: newLines(env.Stderr),
		Point:      sweep.Point{ContextSize: *ctxSize, Concurrency: *concurrency, NumPrompts: *numPrompts, OutputLen: *outputLen},
		SharedHost: env.Getenv(runner.SharedHostVar) == "1",
	}
	var err error
	if spec.Point.RequestRate, err = parseRate(*rate); err != nil {
		return invalidf("bench: --request-rate: %v", err)
	}
	if spec.Goodput, err = parseGoodput(*goodput); err != nil {
		return invalidf("bench: --goodput: %v", err)
	}
	if err := checkBenchFlags(spec, *out); err != nil {
		return invalidf("bench: %v", err)
	}
	f, err := runner.Measure(ctx, spec)
	if err != nil {
		return infraf("bench: %s: %v", spec.BaseURL, err)
	}
	f.VllmBench.Engine = config.EngineExternal
	if dir := filepath.Dir(*out); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return infraf("bench: creating directory %q: %v", dir, err)
		}
	}
	if err := results.Write(*out, f); err != nil {
		return infraf("bench: %v", err)
	}
	printBenchSummary(env.Stdout, f, *out)
	for _, line := range suspicionLines(f) {
		fmt.Fprintf(env.Stderr, "vllm-bench: warning: %s\n", line)
	}
	switch {
	case f.Completed == 0:
		return infraf("bench: every request failed; first error: %s", f.FirstError())
	case f.Failed > 0:
		return &exitError{code: ExitRegression, err: fmt.Errorf("bench: %d of %d requests failed; first error: %s", f.Failed, f.Failed+f.Completed, f.FirstError())}
	}
	return nil
}

// checkBenchFlags validates the values of the bench flags, naming the flag.
func checkBenchFlags(spec runner.Spec, out string) error {
	p := spec.Point
	var errs []error
	need := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	need(spec.BaseURL != "", "--base-url: required")
	need(strings.HasPrefix(spec.BaseURL, "http://") || strings.HasPrefix(spec.BaseURL, "https://") || spec.BaseURL == "",
		"--base-url: want an http:// or https:// URL, got %q", spec.BaseURL)
	need(out != "", "--out: required")
	need(p.ContextSize >= 1, "--context-size: must be >= 1, got %d", p.ContextSize)
	need(p.Concurrency >= 1, "--concurrency: must be >= 1, got %d", p.Concurrency)
	need(p.NumPrompts >= 1, "--num-prompts: must be >= 1, got %d", p.NumPrompts)
	need(p.OutputLen >= 1, "--output-len: must be >= 1, got %d", p.OutputLen)
	need(spec.Burstiness > 0 && !math.IsInf(spec.Burstiness, 0), "--burstiness: must be > 0, got %g", spec.Burstiness)
	need(spec.Endpoint == loadgen.EndpointCompletions || spec.Endpoint == loadgen.EndpointChat,
		"--endpoint: want completions or chat, got %q", spec.Endpoint)
	need(spec.WarmupPrompts >= 0, "--warmup-prompts: must be >= 0, got %d", spec.WarmupPrompts)
	need(spec.Repeats >= 1, "--repeats: must be >= 1, got %d", spec.Repeats)
	need(spec.RequestTimeout > 0, "--timeout: must be > 0, got %s", spec.RequestTimeout)
	need(spec.StallTimeout > 0, "--stall-timeout: must be > 0, got %s", spec.StallTimeout)
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// parseRate reads a request rate: a positive number, or inf (0 = unlimited).
func parseRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "inf") {
		return 0, nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("want a positive number or inf, got %q", s)
	}
	return r, nil
}

// parseGoodput reads SLOs written as vLLM's --goodput takes them, KEY:MS
// pairs separated by commas or spaces, into the config's goodput map.
func parseGoodput(s string) (map[string]float64, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil, nil
	}
	m := map[string]float64{}
	for _, f := range fields {
		key, val, ok := strings.Cut(f, ":")
		key = strings.TrimSuffix(strings.TrimSpace(key), "_ms")
		if !ok || (key != "ttft" && key != "tpot" && key != "e2el") {
			return nil, fmt.Errorf("want KEY:MS with KEY ttft, tpot or e2el, got %q", f)
		}
		ms, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || !(ms > 0) || math.IsInf(ms, 0) {
			return nil, fmt.Errorf("%s: want a positive number of milliseconds, got %q", key, val)
		}
		m[key+"_ms"] = ms
	}
	return m, nil
}

// optPct prints a share that may be missing: "n/a" then.
func optPct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", *v)
}

// optNum prints a number that may be missing: "n/a" then.
func optNum(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", *v)
}

// printBenchSummary prints the main figures of a result file.
func printBenchSummary(w io.Writer, f *results.File, path string) {
	fmt.Fprintf(w, "completed %d, failed %d, duration %.2f s\n", f.Completed, f.Failed, f.Duration)
	if l := f.VllmBench.Lengths; l != nil {
		fmt.Fprintf(w, "lengths (the server's usage, %d requests): prompt %s tokens, output %s tokens\n",
			l.Requests, span(l.PromptTokensMin, l.PromptTokensMax), span(l.OutputTokensMin, l.OutputTokensMax))
	}
	if n := f.VllmBench.RetriedRequests; n > 0 {
		fmt.Fprintf(w, "retried %d requests once on a fresh connection: the server closed their kept-alive connection before answering\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tmedian\tp99\t")
	fmt.Fprintf(tw, "TTFT ms\t%.2f\t%.2f\t\n", f.MedianTTFTMs, f.P99TTFTMs)
	fmt.Fprintf(tw, "TPOT ms\t%.2f\t%.2f\t\n", f.MedianTPOTMs, f.P99TPOTMs)
	fmt.Fprintf(tw, "ITL ms\t%.2f\t%.2f\t\n", f.MedianITLMs, f.P99ITLMs)
	fmt.Fprintf(tw, "E2EL ms\t%.2f\t%.2f\t\n", f.MedianE2ELMs, f.P99E2ELMs)
	tw.Flush()
	fmt.Fprintf(w, "throughput: %.2f req/s, %.1f output tok/s, %.1f total tok/s\n",
		f.RequestThroughput, f.OutputThroughput, f.TotalTokenThroughput)
	if f.RequestGoodput != nil {
		fmt.Fprintf(w, "goodput: %.2f req/s\n", *f.RequestGoodput)
	}
	if c := f.VllmBench.Client; c != nil {
		fmt.Fprintf(w, "client: scheduling lag p50 %s ms (bound %s), p99 %s ms (bound %s), CPU %.0f %%, saturated %v\n",
			sigfig.Format(c.SchedLagP50Ms, 3), sigfig.Format(c.SaturationP50BoundMs, 3), sigfig.Format(c.SchedLagP99Ms, 3), sigfig.Format(c.SaturationBoundMs, 3), c.CPUPercent, c.Saturated)
	}
	if h := f.VllmBench.Host; h != nil {
		fmt.Fprintf(w, "host: CPU stalled %s %% of the window (bound %.0f), steal %s %% (bound %.0f), load %s, %d cores\n",
			optPct(h.CPUStalledPct), h.StalledBoundPct, optPct(h.StealPct), h.StealBoundPct, optNum(h.Load1), h.Cores)
	}
	fmt.Fprintf(w, "wrote %s\n", path)
}
