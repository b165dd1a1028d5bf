package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/metrics"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// benchSpec is everything needed to measure one point against a running server.
type benchSpec struct {
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
	// Goodput holds the SLOs in ms; keys ttft_ms, tpot_ms, e2el_ms.
	Goodput map[string]float64
	// SaveDetailed keeps every request's ITLs in the file.
	SaveDetailed bool
	// APIKey, when set, is sent as a bearer token.
	APIKey string
}

// measurePoint runs warmup then Repeats timed rounds and returns the filled file
// (vLLM fields, Meta.Point/Endpoint/Seed/WarmupPrompts/Repeats/QueueTimes/StartTime/EndTime/SchemaVersion).
// It returns an error only when the point could not be measured at all (ctx cancelled, server unreachable);
// failed requests are data in the file.
func measurePoint(ctx context.Context, env *Env, spec benchSpec) (*results.File, error) {
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
		Count: spec.WarmupPrompts + repeats*p.NumPrompts, Seed: spec.Seed,
	})
	if err != nil {
		return nil, err
	}
	if spec.WarmupPrompts > 0 {
		prog := startProgress(env.Stderr, "warmup", spec.WarmupPrompts)
		_, err := client.Run(ctx, loadgen.Load{
			Prompts: prompts, N: spec.WarmupPrompts, OutputLen: p.OutputLen, Concurrency: p.Concurrency,
		}, prog.add)
		prog.finish()
		if err != nil {
			return nil, fmt.Errorf("warmup: %w", err)
		}
	}
	accs := make([]*metrics.Accumulator, repeats)
	sums := make([]metrics.Summary, repeats)
	for r := range repeats {
		label := "requests"
		if repeats > 1 {
			label = fmt.Sprintf("repeat %d/%d", r+1, repeats)
		}
		acc := &metrics.Accumulator{SLO: slo, KeepITLs: spec.SaveDetailed}
		prog := startProgress(env.Stderr, label, p.NumPrompts)
		_, err := client.Run(ctx, loadgen.Load{
			Prompts: prompts, FirstPrompt: spec.WarmupPrompts + r*p.NumPrompts, N: p.NumPrompts,
			OutputLen: p.OutputLen, Concurrency: p.Concurrency, RequestRate: p.RequestRate,
			Burstiness: burstiness, Seed: spec.Seed + int64(r),
		}, func(rec loadgen.Record) {
			acc.Add(rec)
			prog.add(rec)
		})
		prog.finish()
		if err != nil {
			return nil, err
		}
		accs[r], sums[r] = acc, acc.Summary()
	}
	f := results.FromSummary(metrics.Pooled(accs...), sums, results.Info{
		Model: model, Endpoint: endpoint, Point: p, Burstiness: burstiness, Seed: spec.Seed,
		WarmupPrompts: spec.WarmupPrompts, PromptMethod: prompts.Method, Start: start, End: time.Now(),
	})
	f.VllmBench.Env.HarnessVersion = Version
	if host, err := os.Hostname(); err == nil {
		f.VllmBench.Env.Hostname = host
	}
	return f, nil
}

// Progress cadence: a terminal gets a live line, a log a line now and then.
const (
	// progressTTYEvery is how often the live line is redrawn on a terminal.
	progressTTYEvery = 250 * time.Millisecond
	// progressLogEvery is how often a plain progress line is printed when
	// stderr is not a terminal (CI logs).
	progressLogEvery = 5 * time.Second
)

// progress reports a round's requests to stderr while it runs: on a
// terminal one line redrawn with \r, elsewhere a plain line every few
// seconds, and a last line when the round ends.
type progress struct {
	w      io.Writer
	tty    bool
	label  string
	total  int
	start  time.Time
	done   atomic.Int64
	failed atomic.Int64
	stop   chan struct{}
	wg     sync.WaitGroup
}

// startProgress starts reporting a round of total requests.
func startProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, tty: isTerminal(w), label: label, total: total, start: time.Now(), stop: make(chan struct{})}
	every := progressLogEvery
	if p.tty {
		every = progressTTYEvery
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.print(false)
			case <-p.stop:
				return
			}
		}
	})
	return p
}

// add counts one finished request.
func (p *progress) add(rec loadgen.Record) {
	p.done.Add(1)
	if !rec.OK() {
		p.failed.Add(1)
	}
}

// finish stops the reporting and prints the last line.
func (p *progress) finish() {
	close(p.stop)
	p.wg.Wait()
	p.print(true)
}

// print writes the current line; last ends it with a newline on a terminal.
func (p *progress) print(last bool) {
	done := p.done.Load()
	elapsed := time.Since(p.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	line := fmt.Sprintf("%s: %d/%d done, %.1f req/s, %s elapsed, %d failed",
		p.label, done, p.total, rate, elapsed.Round(100*time.Millisecond), p.failed.Load())
	switch {
	case p.tty && last:
		fmt.Fprintf(p.w, "\r\033[K%s\n", line)
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	default:
		fmt.Fprintln(p.w, line)
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
