package runner

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

func TestMedianHalfWidth(t *testing.T) {
	ramp := func(n int, lo, hi float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
		}
		return out
	}
	tests := []struct {
		name   string
		sorted []float64
		want   float64
	}{
		// n = 100: ranks 40 and 61 (1-based) bound the median.
		{"uniform 0.5 to 1.5", ramp(100, 0.5, 1.5), (1.0 - (0.5 + 39.0/99)) / 1.0},
		{"all equal", slices.Repeat([]float64{2}, 50), 0},
		{"too few for an interval", []float64{1, 2, 3, 4, 5}, math.Inf(1)},
		{"median zero", make([]float64, 50), math.Inf(1)},
	}
	for _, tt := range tests {
		got := medianHalfWidth(tt.sorted)
		if math.Abs(got-tt.want) > 0.011 && !(math.IsInf(got, 1) && math.IsInf(tt.want, 1)) {
			t.Errorf("%s: half-width %v, want %v", tt.name, got, tt.want)
		}
	}
	// The interval narrows as 1/sqrt(n): four times the requests, half the
	// width.
	w100, w400 := medianHalfWidth(ramp(100, 0.5, 1.5)), medianHalfWidth(ramp(400, 0.5, 1.5))
	if r := w100 / w400; r < 1.8 || r > 2.2 {
		t.Errorf("half-widths %v at 100 and %v at 400: ratio %v, want about 2", w100, w400, r)
	}
}

func TestSettler(t *testing.T) {
	// TTFT alternates 99 and 101 ms: a median pinned within ±1 % at once.
	rec := func(i int) loadgen.Record {
		ttft := 0.099 + 0.002*float64(i%2)
		return loadgen.Record{TTFTS: ttft, LatencyS: ttft + 0.3, CompletionTokens: 31}
	}
	both := []string{"median_ttft_ms", "median_tpot_ms"}
	s := newSettler(30, 4, both, uniform(both, 0.02))
	for i := range 29 {
		s.add(rec(i))
		if s.enough() {
			t.Fatalf("enough after %d requests, before min_prompts 30", i+1)
		}
	}
	s.add(loadgen.Record{Error: "HTTP 500"}) // a failure counts for nothing
	if s.enough() {
		t.Fatal("enough after a failed request")
	}
	s.add(rec(29))
	if !s.enough() {
		t.Fatal("not enough after 30 requests with settled medians")
	}
	if why := s.why(34, 400); !strings.HasPrefix(why, "settled: median_ttft_ms ±1.0%, median_tpot_ms ±0.0% after 30 requests (at least 30; precision ±2%)") {
		t.Errorf("why = %q", why)
	}

	// A spread median does not settle: all num_prompts are sent.
	wide := newSettler(10, 4, []string{"median_ttft_ms"}, map[string]float64{"median_ttft_ms": 0.02})
	for i := range 100 {
		wide.add(loadgen.Record{TTFTS: 0.05 + 0.001*float64(i), LatencyS: 1, CompletionTokens: 2})
	}
	if wide.enough() || !strings.Contains(wide.why(100, 100), "before the watched metrics settled (precision ±2%)") {
		t.Errorf("a spread median settled: %q", wide.why(100, 100))
	}
	none := newSettler(1, 4, Watched([]string{"p99_ttft_ms", "p90_itl_ms"}), nil)
	none.add(rec(0))
	if none.enough() || !strings.Contains(none.why(1, 1), "no gated latency median or throughput") {
		t.Errorf("with nothing to watch: enough %v, why %q", none.enough(), none.why(1, 1))
	}
}

// uniform gives every metric the same target, as a fixed bench.precision
// does.
func uniform(metrics []string, target float64) map[string]float64 {
	out := map[string]float64{}
	for _, m := range metrics {
		out[m] = target
	}
	return out
}

func TestSettlerTargetsPerMedian(t *testing.T) {
	// TTFT spread over ±20 % and TPOT steady: with auto's targets (each
	// median's run-to-run CV) the round settles once TTFT's interval is
	// within its own ±16 %, where a shared ±2 % never settles.
	rec := func(i int) loadgen.Record {
		ttft := 0.08 + 0.04*float64(i%41)/40
		return loadgen.Record{TTFTS: ttft, LatencyS: ttft + 0.3, CompletionTokens: 31}
	}
	watch := []string{"median_ttft_ms", "median_tpot_ms"}
	auto := newSettler(20, 4, watch, map[string]float64{"median_ttft_ms": 0.16, "median_tpot_ms": 0.07})
	fixed := newSettler(20, 4, watch, uniform(watch, 0.02))
	settledAt := 0
	for i := range 400 {
		auto.add(rec(i))
		fixed.add(rec(i))
		if settledAt == 0 && auto.enough() {
			settledAt = i + 1
		}
	}
	if settledAt == 0 || settledAt > 100 {
		t.Errorf("per-median targets settled after %d requests, want by 100", settledAt)
	}
	if why := auto.why(settledAt, 400); !strings.Contains(why, "targets median_ttft_ms ±16%, median_tpot_ms ±7%") {
		t.Errorf("why = %q, want the targets named", why)
	}
	if fixed.enough() {
		t.Error("a shared ±2 % settled a TTFT spread over ±20 %")
	}
	// An unknown run-to-run noise (target 0) never settles.
	unknown := newSettler(1, 4, watch, map[string]float64{"median_ttft_ms": 0, "median_tpot_ms": 0.07})
	for range 100 {
		unknown.add(loadgen.Record{TTFTS: 0.1, LatencyS: 0.4, CompletionTokens: 31})
	}
	if unknown.enough() {
		t.Error("a median without a target settled")
	}
}

// A gated throughput holds a round on until the drain's share of its
// window, concurrency/(2·requests), is within the throughput's target,
// however steady the medians.
func TestSettlerThroughputWindow(t *testing.T) {
	watch := Watched([]string{"median_tpot_ms", "output_throughput", "p99_ttft_ms"})
	if !slices.Equal(watch, []string{"median_tpot_ms", "output_throughput"}) {
		t.Fatalf("watched %q, want the median and the throughput", watch)
	}
	steady := loadgen.Record{TTFTS: 0.1, LatencyS: 0.4, CompletionTokens: 31}
	for _, tt := range []struct {
		concurrency int
		target      float64
		want        int // requests done when it settles; 0: not within 400
	}{
		{32, 0.1, 160}, // 32/(2·160) = 10 %
		{8, 0.03, 134}, // 8/(2·134) < 3 %
		{32, 0.03, 0},  // needs 534
		{1, 0.5, 50},   // min_prompts first
	} {
		s := newSettler(50, tt.concurrency, watch, map[string]float64{"median_tpot_ms": 0.07, "output_throughput": tt.target})
		got := 0
		for i := range 400 {
			s.add(steady)
			if s.enough() {
				got = i + 1
				break
			}
		}
		if got != tt.want {
			t.Errorf("concurrency %d, target %v: settled after %d requests, want %d", tt.concurrency, tt.target, got, tt.want)
		}
	}
}
