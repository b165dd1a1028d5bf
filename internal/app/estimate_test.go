package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestEstimatePoint(t *testing.T) {
	tests := []struct {
		name    string
		p       sweep.Point
		warmup  int
		repeats int
		want    time.Duration
	}{
		// One request: 1,000 prompt tokens at 10,000/s and 100 tokens at 30 ms.
		{"one request", sweep.Point{ContextSize: 1000, Concurrency: 1, NumPrompts: 1, OutputLen: 100}, 0, 1, 3100 * time.Millisecond},
		// 10 prompts at concurrency 4: 3 waves.
		{"waves", sweep.Point{ContextSize: 1000, Concurrency: 4, NumPrompts: 10, OutputLen: 100}, 0, 1, 3 * 3100 * time.Millisecond},
		{"warmup and repeats", sweep.Point{ContextSize: 1000, Concurrency: 4, NumPrompts: 10, OutputLen: 100}, 4, 2, 7 * 3100 * time.Millisecond},
		// An arrival rate slower than the waves sets the pace.
		{"rate", sweep.Point{ContextSize: 1000, Concurrency: 100, NumPrompts: 100, OutputLen: 100, RequestRate: 2}, 0, 1, 50 * time.Second},
	}
	for _, tt := range tests {
		if got := estimatePoint(tt.p, tt.warmup, tt.repeats); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// validate and plan state the estimate and warn about a sweep of weeks.
func TestValidateAndPlanEstimate(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "big.yaml")
	src := `runs:
  - name: big
    engine: vllm
    serve:
      model_path: m
      max_model_len: 4096
      tp_dp_pairs: [{tp: 2, dp: 1}]
    bench:
      context_size: [1000]
      concurrency: [1]
      num_prompts: [100000]
      output_len: [100]
`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// 100,000 requests one at a time, 3.1 s each: 86 h (3.6 days), 172 GPU-hours on 2 GPUs.
	for _, verb := range []string{"validate", "plan"} {
		code, stdout, stderr := cli(t, nil, verb, "-c", cfg)
		if code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", verb, code, stderr)
		}
		if !strings.Contains(stdout, "estimated 4 days, 172 GPU-hours (assuming 10000 prompt tokens/s and 30ms per output token per stream") {
			t.Errorf("%s: no estimate in:\n%s", verb, stdout)
		}
		for _, want := range []string{"warning: the sweep is estimated at 4 days, above 6 h (GitHub", "warning: the sweep is estimated at 172 GPU-hours, above 100"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", verb, want, stderr)
			}
		}
	}
}
