package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sim/simtest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestMeasurePointSim(t *testing.T) {
	base := simtest.Start(t)
	obs := &counting{}
	f, err := Measure(context.Background(), Spec{
		BaseURL: base, Point: sweep.Point{ContextSize: 512, Concurrency: 8, NumPrompts: 40, OutputLen: 32},
		WarmupPrompts: 2, Seed: 1, Observer: obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Completed != 40 || f.Failed != 0 {
		t.Fatalf("completed %d failed %d, want 40 and 0; first error %q", f.Completed, f.Failed, f.FirstError())
	}
	for i := range f.InputLens {
		if f.InputLens[i] != 512 || f.OutputLens[i] != 32 {
			t.Fatalf("request %d: input %d output %d, want 512 and 32", i, f.InputLens[i], f.OutputLens[i])
		}
	}
	if f.ModelID != "sim-model" || f.MedianTTFTMs <= 0 || f.MedianTPOTMs <= 0 || f.OutputThroughput <= 0 {
		t.Errorf("model %q ttft %v tpot %v output throughput %v", f.ModelID, f.MedianTTFTMs, f.MedianTPOTMs, f.OutputThroughput)
	}
	// vLLM counts requests per 1-second bin: a point this short has all
	// its requests in the first bin.
	if f.Duration < 1 && f.MaxConcurrentRequests != 40 {
		t.Errorf("max concurrent requests %d, want all 40 in the one second the point took", f.MaxConcurrentRequests)
	}
	if m := f.VllmBench; m.PromptMethod != "token-ids" || len(m.Repeats) != 1 || m.StartTime == "" || m.SchemaVersion == 0 {
		t.Errorf("meta = %+v", m)
	}
	if got := obs.rounds; len(got) != 2 || got[0] != "warmup 2/2" || got[1] != "requests 40/40" {
		t.Errorf("rounds observed: %q, want a warmup of 2 and 40 requests", got)
	}
}

func TestMeasureRecordsClientHealth(t *testing.T) {
	base := simtest.Start(t, "--sim-speedup", "2") // steps of a few ms: a median ITL above zero
	f, err := Measure(context.Background(), Spec{
		BaseURL: base, Point: sweep.Point{ContextSize: 64, Concurrency: 4, NumPrompts: 8, OutputLen: 16}, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.VllmBench.Client
	if c == nil {
		t.Fatal("no vllm_bench.client in the result")
	}
	// The bounds: 1 ms on the lag's p99, 10 % of the point's median ITL on
	// its median.
	if f.MedianITLMs <= 0 {
		t.Fatalf("median ITL %v ms, want > 0", f.MedianITLMs)
	}
	if want := 0.1 * f.MedianITLMs; c.SaturationBoundMs != 1 || c.SaturationP50BoundMs != want || c.GOMAXPROCS < 1 || c.DurationS <= 0 {
		t.Errorf("client %+v, want bounds 1 ms and %v ms (median ITL %v ms)", *c, want, f.MedianITLMs)
	}
	tail := c.SchedLagP99Ms
	if c.LagSamples < probe.MinTailSamples {
		tail = c.SchedLagP50Ms
	}
	if c.Saturated != (tail > c.SaturationBoundMs || c.SchedLagP50Ms > c.SaturationP50BoundMs) {
		t.Errorf("client %+v: verdict disagrees with its bounds", *c)
	}
	// Every completed request streamed one chunk per output token.
	if c.Chunks != 8*16 {
		t.Errorf("chunks %d, want %d (8 requests of 16 tokens)", c.Chunks, 8*16)
	}
	if c.CPUSeconds > 0 && c.CPUMicrosPerChunk != c.CPUSeconds*1e6/float64(c.Chunks) {
		t.Errorf("cpu_us_per_chunk %v, want cpu_s %v over %d chunks", c.CPUMicrosPerChunk, c.CPUSeconds, c.Chunks)
	}
}

// TestMeasureChatWithoutDetokenize puts a proxy in front of the simulator
// that answers 404 on /detokenize, as servers other than vLLM do: chat
// prompts are then counted with /tokenize, and the file says so.
func TestMeasureChatWithoutDetokenize(t *testing.T) {
	target, err := url.Parse(simtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/detokenize" {
			http.Error(w, `{"detail":"Not Found"}`, http.StatusNotFound)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	f, err := Measure(context.Background(), Spec{
		BaseURL: srv.URL, Endpoint: "chat", Point: sweep.Point{ContextSize: 64, Concurrency: 4, NumPrompts: 8, OutputLen: 8}, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Completed != 8 || f.VllmBench.PromptMethod != "counted-text" || f.VllmBench.Endpoint != "chat" {
		t.Errorf("completed %d, prompt_method %q, endpoint %q; want 8, counted-text, chat (first error %q)",
			f.Completed, f.VllmBench.PromptMethod, f.VllmBench.Endpoint, f.FirstError())
	}
}

func TestMeasurePointCancel(t *testing.T) {
	base := simtest.Start(t, "--sim-speedup", "0.05") // slow: requests outlive the context
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Measure(ctx, Spec{
		BaseURL: base, Point: sweep.Point{ContextSize: 64, Concurrency: 4, NumPrompts: 8, OutputLen: 64},
	})
	if err == nil {
		t.Fatal("Measure returned no error after cancellation")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Measure took %v after cancellation", d)
	}
}

func TestMeasurePointUnreachable(t *testing.T) {
	_, err := Measure(context.Background(), Spec{
		BaseURL: "http://127.0.0.1:1", Point: sweep.Point{ContextSize: 8, Concurrency: 1, NumPrompts: 1, OutputLen: 1},
	})
	if err == nil {
		t.Fatal("no error for an unreachable server")
	}
}

// counting is an Observer that records each round as "label done/total".
type counting struct {
	Quiet
	rounds []string
}

func (c *counting) Round(label string, total int) Round {
	return &countRound{c: c, label: label, total: total}
}

type countRound struct {
	c     *counting
	label string
	total int
	done  atomic.Int64
}

func (r *countRound) Request(bool) { r.done.Add(1) }
func (r *countRound) End() {
	r.c.rounds = append(r.c.rounds, r.label+" "+strconv.FormatInt(r.done.Load(), 10)+"/"+strconv.Itoa(r.total))
}
