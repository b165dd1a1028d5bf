package runner

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/metrics"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Spec is everything needed to measure one point against a running server.
type Spec struct {
	// BaseURL is the server's root, e.g. http://127.0.0.1:8000.
	BaseURL string
	// Model "" = take the first id from GET /v1/models.
	Model string
	// Point is the benchmark point.
	Point sweep.Point
	// Endpoint is "completions" (the default when "") or "chat".
	Endpoint string
	// Burstiness is the gamma shape of open-loop arrivals; 0 means 1.
	Burstiness float64
	// WarmupPrompts requests are sent first and not recorded; Repeats timed
	// rounds of Point.NumPrompts requests follow (0 means 1).
	WarmupPrompts, Repeats int
	// Seed makes prompts and arrivals reproducible.
	Seed int64
	// RequestTimeout bounds one request; 0 means loadgen's default.
	RequestTimeout time.Duration
	// StallTimeout ends the point when no stream has received anything for
	// this long while requests were in flight; 0 means loadgen's default.
	StallTimeout time.Duration
	// Goodput holds the SLOs in ms; keys ttft_ms, tpot_ms, e2el_ms.
	Goodput map[string]float64
	// SaveDetailed keeps every request's ITLs in the file.
	SaveDetailed bool
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// HarnessVersion is recorded in the file.
	HarnessVersion string
	// Observer follows the rounds' requests; nil reports nothing.
	Observer Observer
	// ServerMetrics configures the scrapes of the server's /metrics around
	// each timed round; the zero value means the defaults.
	ServerMetrics probe.ServerOptions
	// GPU configures the nvidia-smi sampling while the timed rounds run
	// (VisibleDevices: the server's CUDA_VISIBLE_DEVICES); the zero value
	// samples every GPU with the defaults.
	GPU probe.GPUOptions
	// Host configures the host probe over the timed rounds (ServerPID: the
	// server the harness started, whose processes on the GPUs are its
	// own); the zero value reads /proc and judges no GPU process.
	Host probe.HostOptions
	// SharedHost records the host's CPU load and the simulator's late
	// steps without judging them: the machine is known to be shared (see
	// SharedHostVar).
	SharedHost bool
	// Precision, when on, ends each timed round once every Watch metric's
	// error is within its target in Targets (a median's 95 % interval, a
	// throughput's drain share; see settler) and MinPrompts requests are
	// done (bench.precision; the targets are Precision.Value each, or with
	// auto each metric's run-to-run CV). Watch holds result-file keys such
	// as median_ttft_ms.
	Precision  config.Precision
	MinPrompts int
	Watch      []string
	Targets    map[string]float64
	// Phases, when set, is told the seconds the warmup and the timed
	// rounds took, also when the point fails part way.
	Phases *Phases
}

// Phases are the seconds one point spent sending requests: the warmup and
// the timed rounds.
type Phases struct {
	WarmupS, MeasuringS float64
}

// SharedHostVar, set to 1 in the harness's environment, says its machine
// is known to be shared: every point's CPU pressure, steal and simulator
// late steps are recorded but make no point suspect (probe.SharedHostVar).
const SharedHostVar = probe.SharedHostVar

// Measure runs the warmup, then Repeats timed rounds, and returns the
// filled file (the vLLM fields, and under vllm_bench the point, endpoint,
// seed, warmup, repeats, times and schema version; the server's fields are
// the caller's). It returns an error only when the point could not be
// measured at all (ctx cancelled, server unreachable); failed requests are
// data in the file.
func Measure(ctx context.Context, spec Spec) (*results.File, error) {
	obs := spec.Observer
	if obs == nil {
		obs = Quiet{}
	}
	p := spec.Point
	if p.ContextSize < 1 || p.Concurrency < 1 || p.NumPrompts < 1 || p.OutputLen < 1 {
		return nil, fmt.Errorf("invalid point: context_size, concurrency, num_prompts and output_len must be >= 1, got %d, %d, %d, %d",
			p.ContextSize, p.Concurrency, p.NumPrompts, p.OutputLen)
	}
	endpoint := spec.Endpoint
	if endpoint == "" {
		endpoint = loadgen.EndpointCompletions
	}
	if endpoint != loadgen.EndpointCompletions && endpoint != loadgen.EndpointChat {
		return nil, fmt.Errorf("endpoint %q: want completions or chat", endpoint)
	}
	slo, err := metrics.ParseSLO(spec.Goodput)
	if err != nil {
		return nil, err
	}
	repeats := max(spec.Repeats, 1)
	burstiness := spec.Burstiness
	if burstiness == 0 {
		burstiness = 1
	}
	start := time.Now()
	client := loadgen.NewClient(loadgen.ClientOptions{
		BaseURL: spec.BaseURL, APIKey: spec.APIKey, MaxConns: p.Concurrency, RequestTimeout: spec.RequestTimeout,
		StallTimeout: spec.StallTimeout,
	})
	defer client.Close()
	model := spec.Model
	if model == "" {
		if model, err = client.ModelID(ctx); err != nil {
			return nil, err
		}
	}
	prompts, err := loadgen.BuildPrompts(ctx, client, loadgen.PromptOptions{
		Model: model, Endpoint: endpoint, InputLen: p.ContextSize,
		Count: spec.WarmupPrompts + repeats*p.NumPrompts, Seed: promptSeed(spec.Seed, p),
	})
	if err != nil {
		return nil, err
	}
	phases := spec.Phases
	if phases == nil {
		phases = &Phases{}
	}
	if spec.WarmupPrompts > 0 {
		begin := time.Now()
		round := obs.Round("warmup", spec.WarmupPrompts)
		_, err := client.Run(ctx, loadgen.Load{
			Prompts: prompts, N: spec.WarmupPrompts, OutputLen: p.OutputLen, Concurrency: p.Concurrency,
		}, func(rec loadgen.Record) { round.Request(rec.OK()) })
		round.End()
		phases.WarmupS += time.Since(begin).Seconds()
		if err != nil {
			return nil, fmt.Errorf("warmup: %w", err)
		}
	}
	// The client's own health is measured over the timed rounds only.
	health := probe.StartClientLoad(ctx, client.Streams)
	defer health.Stop()
	spec.Host.Shared = spec.Host.Shared || spec.SharedHost
	spec.ServerMetrics.SharedHost = spec.ServerMetrics.SharedHost || spec.SharedHost
	host := probe.StartHost(ctx, spec.Host)
	defer host.Stop()
	chunks := 0 // read by the requests that completed, for the CPU per chunk
	// Beside the timed rounds: the server's own metrics and the GPUs'
	// telemetry. Neither ever fails the point.
	serverMetrics := probe.NewServerProbe(spec.BaseURL, spec.ServerMetrics)
	gpu := probe.StartGPU(ctx, spec.GPU)
	defer gpu.Stop()
	accs := make([]*metrics.Accumulator, repeats)
	retried := 0
	var lengths results.Lengths
	var early *results.EarlyStop
	sums := make([]metrics.Summary, repeats)
	for r := range repeats {
		label := "requests"
		if repeats > 1 {
			label = fmt.Sprintf("repeat %d/%d", r+1, repeats)
		}
		acc := &metrics.Accumulator{SLO: slo, KeepITLs: spec.SaveDetailed}
		round := obs.Round(label, p.NumPrompts)
		sampled := serverMetrics.BeginRound(ctx)
		load := loadgen.Load{
			Prompts: prompts, FirstPrompt: spec.WarmupPrompts + r*p.NumPrompts, N: p.NumPrompts,
			OutputLen: p.OutputLen, Concurrency: p.Concurrency, RequestRate: p.RequestRate,
			Burstiness: burstiness, Seed: spec.Seed + int64(r),
		}
		var settle *settler
		if spec.Precision.On() {
			settle = newSettler(spec.MinPrompts, p.Concurrency, spec.Watch, spec.Targets)
			load.Enough = settle.enough
		}
		begin := time.Now()
		sent, err := client.Run(ctx, load, func(rec loadgen.Record) {
			acc.Add(rec)
			if rec.Retried {
				retried++
			}
			if rec.OK() && rec.Usage {
				lengths.Add(rec.PromptTokens, rec.CompletionTokens, p.OutputLen)
			}
			if settle != nil {
				settle.add(rec)
			}
			round.Request(rec.OK())
			if rec.OK() {
				chunks += len(rec.ITLsS) + 1
			}
		})
		phases.MeasuringS += time.Since(begin).Seconds()
		sampled.End(ctx)
		round.End()
		if err != nil {
			return nil, err
		}
		if settle != nil {
			if early == nil {
				early = &results.EarlyStop{Precision: spec.Precision.Value, Auto: spec.Precision.Auto,
					MinPrompts: spec.MinPrompts, Metrics: spec.Watch, Targets: spec.Targets}
			}
			why := settle.why(sent.Sent, p.NumPrompts)
			early.Sent, early.Reasons = append(early.Sent, sent.Sent), append(early.Reasons, why)
			if sent.Sent < p.NumPrompts {
				obs.Step(fmt.Sprintf("%s: %d of %d sent; %s", label, sent.Sent, p.NumPrompts, why))
			}
		}
		accs[r], sums[r] = acc, acc.Summary()
	}
	f := results.FromSummary(metrics.Pooled(accs...), sums, results.Info{
		Model: model, Endpoint: endpoint, Point: p, Burstiness: burstiness, Seed: spec.Seed,
		WarmupPrompts: spec.WarmupPrompts, PromptMethod: prompts.Method, TokenizerAPI: prompts.TokenizerAPI, Start: start, End: time.Now(),
	})
	f.VllmBench.RetriedRequests = retried
	if lengths.Requests > 0 {
		f.VllmBench.Lengths = &lengths
	}
	own := health.Stop()
	own.CountChunks(chunks)
	own.JudgePoint(f.MedianITLMs, itlGaps(f))
	f.VllmBench.Client = &own
	f.VllmBench.Host = host.Stop()
	f.VllmBench.EarlyStop = early
	sm := serverMetrics.Metrics()
	f.VllmBench.ServerMetrics, f.VllmBench.GPUTelemetry = &sm, gpu.Stop()
	f.VllmBench.Env.HarnessVersion = spec.HarnessVersion
	if host, err := os.Hostname(); err == nil {
		f.VllmBench.Env.Hostname = host
	}
	return f, nil
}

// promptSeed gives every point prompts of its own. vLLM caches prefixes by
// default, and token-id prompts drawn with one seed share their first tokens
// across context sizes, so a later point would be served partly from the
// cache an earlier one filled and read too fast. The point's label is mixed
// into the configured seed; the same seed and point give the same prompts,
// so both sides of a comparison and every resumed sweep send the same
// requests.
func promptSeed(seed int64, p sweep.Point) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %s", seed, p.Label())
	return int64(h.Sum64())
}

// itlGaps is the number of inter-token gaps the point's requests had: one
// fewer than each request's output tokens.
func itlGaps(f *results.File) int {
	n := 0
	for _, l := range f.OutputLens {
		n += max(l-1, 0)
	}
	return n
}
