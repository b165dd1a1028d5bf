package metrics

import (
	"math"
	"slices"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

// handRecords are three requests whose metrics are computed by hand below:
// index 0 streams 5 tokens in 4 chunks (one chunk of two tokens), index 2
// has one output token, index 1 failed.
func handRecords() []loadgen.Record {
	return []loadgen.Record{
		{Index: 2, StartS: 0.2, TTFTS: 0.2, LatencyS: 0.2, EndS: 0.41, PromptTokens: 20, CompletionTokens: 1, QueueS: 0.01},
		{Index: 1, StartS: 0.05, EndS: 0.06, PromptTokens: 10, Error: "HTTP 500: injected"},
		{Index: 0, StartS: 0, TTFTS: 0.1, LatencyS: 0.3, EndS: 0.31, ITLsS: []float32{0.05, 0.05, 0.1}, PromptTokens: 10, CompletionTokens: 5},
	}
}

func TestSummaryHandComputed(t *testing.T) {
	a := Accumulator{SLO: SLO{TTFTMs: 150}}
	for _, r := range handRecords() {
		a.Add(r)
	}
	s := a.Summary()
	if s.Completed != 2 || s.Failed != 1 {
		t.Fatalf("completed/failed = %d/%d, want 2/1", s.Completed, s.Failed)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"duration", s.DurationS, 0.41},
		{"total input", float64(s.TotalInputTokens), 30},
		{"total output", float64(s.TotalOutputTokens), 6},
		{"request throughput", s.RequestThroughput, 2 / 0.41},
		{"output throughput", s.OutputThroughput, 6 / 0.41},
		{"total token throughput", s.TotalTokenThroughput, 36 / 0.41},
		{"goodput", *s.RequestGoodput, 1 / 0.41},
		{"mean ttft", s.TTFT.MeanMs, 150},
		{"median ttft", s.TTFT.MedianMs, 150},
		{"std ttft", s.TTFT.StdMs, 50},
		{"p90 ttft", s.TTFT.P90Ms, 190},
		{"p99 ttft", s.TTFT.P99Ms, 199},
		{"mean tpot (one-token request left out)", s.TPOT.MeanMs, 50},
		{"std tpot", s.TPOT.StdMs, 0},
		{"mean itl", s.ITL.MeanMs, 200.0 / 3},
		{"median itl", s.ITL.MedianMs, 50},
		{"std itl", s.ITL.StdMs, math.Sqrt(5.0/9000) * 1000},
		{"p90 itl", s.ITL.P90Ms, 90},
		{"p99 itl", s.ITL.P99Ms, 99},
		{"mean e2el", s.E2EL.MeanMs, 250},
		{"p99 e2el", s.E2EL.P99Ms, 299},
		{"max output tokens per s (chunks in the first second)", s.MaxOutputTokensPerS, 5},
		{"max concurrent requests", float64(s.MaxConcurrentRequests), 2},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !slices.Equal(s.InputLens, []int{10, 10, 20}) || !slices.Equal(s.OutputLens, []int{5, 0, 1}) ||
		!slices.Equal(s.TTFTsS, []float64{0.1, 0, 0.2}) || !slices.Equal(s.Errors, []string{"", "HTTP 500: injected", ""}) {
		t.Errorf("arrays not in send order: in %v out %v ttft %v errors %q", s.InputLens, s.OutputLens, s.TTFTsS, s.Errors)
	}
	if s.ITLsS != nil {
		t.Error("ITLs kept without KeepITLs")
	}
}

func TestSummaryGoodputTPOT(t *testing.T) {
	// TPOT 40 ms: request 0 (TPOT 50) fails it; the one-token request has
	// TPOT 0 for goodput, as in vLLM, and passes.
	a := Accumulator{SLO: SLO{TPOTMs: 40}, KeepITLs: true}
	for _, r := range handRecords() {
		a.Add(r)
	}
	s := a.Summary()
	if math.Abs(*s.RequestGoodput-1/0.41) > 1e-9 {
		t.Errorf("goodput = %v, want %v", *s.RequestGoodput, 1/0.41)
	}
	if len(s.ITLsS) != 3 || len(s.ITLsS[0]) != 3 || s.ITLsS[1] != nil {
		t.Errorf("kept ITLs = %v", s.ITLsS)
	}
}

func TestSummaryEmpty(t *testing.T) {
	var a Accumulator
	s := a.Summary()
	if s.Completed != 0 || s.RequestThroughput != 0 || s.TTFT != (Stats{}) || s.RequestGoodput != nil {
		t.Errorf("empty summary = %+v", s)
	}
	a.Add(loadgen.Record{Error: "refused", EndS: 1})
	s = a.Summary()
	if s.Failed != 1 || s.Completed != 0 || s.ITL != (Stats{}) || s.MaxOutputTokensPerS != 0 {
		t.Errorf("all-failed summary = %+v", s)
	}
}

func TestMaxConcurrentRequests(t *testing.T) {
	tests := []struct {
		name  string
		spans [][2]float64 // start, latency
		want  int
	}{
		// 1-second bins from the first start; a request counts in every bin
		// from its start's to its end's, both included, as vLLM counts.
		{"none", nil, 0},
		{"back to back share the bin where one ends and the next starts", [][2]float64{{0, 1}, {1, 1}, {2, 1}}, 2},
		{"short requests in separate bins", [][2]float64{{0, 0.4}, {1.2, 0.3}, {2.5, 0.2}}, 1},
		{"overlap", [][2]float64{{0, 1}, {0.5, 1}, {1, 1}}, 3},
		{"nested", [][2]float64{{0, 10}, {1, 1}, {1.5, 1}, {3, 1}}, 3},
		{"bins count from the first start, not from 0", [][2]float64{{0.9, 0.2}, {1.2, 0.5}}, 2},
	}
	for _, tt := range tests {
		var a Accumulator
		for i, sp := range tt.spans {
			a.Add(loadgen.Record{Index: i, StartS: sp[0], TTFTS: sp[1] / 2, LatencyS: sp[1], CompletionTokens: 1})
		}
		a.Add(loadgen.Record{Index: 99, StartS: 0, EndS: 100, Error: "failed requests do not count"})
		if got := a.Summary().MaxConcurrentRequests; got != tt.want {
			t.Errorf("%s: max concurrent = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestPeakConcurrentRequests(t *testing.T) {
	tests := []struct {
		name  string
		spans [][2]float64 // start, latency
		want  int
	}{
		// The exact peak in flight, beside vLLM's binned count (want of
		// TestMaxConcurrentRequests for the same spans: 0, 2, 1, 3, 3).
		{"none", nil, 0},
		{"back to back never overlap", [][2]float64{{0, 1}, {1, 1}, {2, 1}}, 1},
		{"short requests", [][2]float64{{0, 0.4}, {1.2, 0.3}, {2.5, 0.2}}, 1},
		{"overlap", [][2]float64{{0, 1}, {0.5, 1}, {1, 1}}, 2},
		{"nested", [][2]float64{{0, 10}, {1, 1}, {1.5, 1}, {3, 1}}, 3},
	}
	for _, tt := range tests {
		var a Accumulator
		for i, sp := range tt.spans {
			a.Add(loadgen.Record{Index: i, StartS: sp[0], TTFTS: sp[1] / 2, LatencyS: sp[1], CompletionTokens: 1})
		}
		a.Add(loadgen.Record{Index: 99, StartS: 0, EndS: 100, Error: "failed requests do not count"})
		if got := a.Summary().PeakConcurrentRequests; got != tt.want {
			t.Errorf("%s: peak concurrent = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestMaxOutputTokensPerS(t *testing.T) {
	var a Accumulator
	// The earliest successful start is 0.2 (the failed one at 0 does not
	// count): bins [0.2,1.2) and [1.2,2.2). Chunks at 0.3, 1.1, 1.15 | 1.25, 1.3.
	a.Add(loadgen.Record{Index: 0, StartS: 0, EndS: 0.01, Error: "x"})
	a.Add(loadgen.Record{Index: 1, StartS: 0.2, TTFTS: 0.1, LatencyS: 1.1, ITLsS: []float32{0.8, 0.05, 0.1, 0.05}, CompletionTokens: 5})
	if got := a.Summary().MaxOutputTokensPerS; got != 3 {
		t.Errorf("max output tokens per s = %v, want 3", got)
	}
}

func TestPooled(t *testing.T) {
	var a, b Accumulator
	a.Add(loadgen.Record{Index: 0, StartS: 0, TTFTS: 0.1, LatencyS: 0.5, EndS: 1, CompletionTokens: 2, PromptTokens: 4, ITLsS: []float32{0.4}})
	b.Add(loadgen.Record{Index: 0, StartS: 0, TTFTS: 0.3, LatencyS: 2, EndS: 3, CompletionTokens: 3, PromptTokens: 4, ITLsS: []float32{1, 0.7}})
	s := Pooled(&a, &b)
	if s.Completed != 2 || s.DurationS != 4 || s.RequestThroughput != 0.5 || s.OutputThroughput != 5.0/4 {
		t.Errorf("pooled counts = %+v", s)
	}
	if math.Abs(s.TTFT.MeanMs-200) > 1e-9 || math.Abs(s.ITL.MedianMs-700) > 1e-3 || len(s.TTFTsS) != 2 {
		t.Errorf("pooled stats: ttft %+v itl %+v", s.TTFT, s.ITL)
	}
}

func TestParseSLO(t *testing.T) {
	s, err := ParseSLO(map[string]float64{"ttft_ms": 500, "tpot_ms": 50})
	if err != nil || s != (SLO{TTFTMs: 500, TPOTMs: 50}) {
		t.Errorf("ParseSLO = %+v, %v", s, err)
	}
	for _, bad := range []map[string]float64{{"ttft": 1}, {"e2el_ms": 0}, {"tpot_ms": -3}} {
		if _, err := ParseSLO(bad); err == nil {
			t.Errorf("ParseSLO(%v) gave no error", bad)
		}
	}
}
