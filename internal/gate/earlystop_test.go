package gate

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

func TestRunToRunCV(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`runs:
  - name: r
    engine: sim
    serve: {model_path: org/m, tp_dp_pairs: [{tp: 1}]}
    bench: {context_size: [512], concurrency: [8], num_prompts: [400], output_len: [16], precision: auto}
    gate:
      prior_cv: {median_tpot_ms: 0.05}
`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const point = "r_TP1_DP1_CTX512_C8_P400_O16.json"
	var lines []byte
	for i, v := range []struct {
		gpu  string
		ttft float64
	}{{"A", 100}, {"A", 102}, {"A", 98}, {"A", 100}, {"B", 50}, {"B", 80}} {
		line, _ := json.Marshal(baseline.HistoryEntry{GPUModel: v.gpu, Date: "2026-01-0" + string(rune('1'+i)),
			Points: map[string]map[string]float64{point: {"median_ttft_ms": v.ttft}}})
		lines = append(append(lines, line...), '\n')
	}
	if err := os.MkdirAll(filepath.Join(dir, "r"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "r", baseline.HistoryFile), lines, 0o644); err != nil {
		t.Fatal(err)
	}
	cv := RunToRunCV(cfg, dir)
	// GPU A's four runs: CV 1.6 %, below the prior; GPU B's two are too
	// few to count.
	if got := cv("r", point, "median_ttft_ms"); math.Abs(got-0.01633) > 0.0005 {
		t.Errorf("TTFT with history: %v, want GPU A's CV 0.0163", got)
	}
	if got := cv("r", point, "median_tpot_ms"); got != 0.05 {
		t.Errorf("TPOT without history: %v, want the configured prior 0.05", got)
	}
	if got := RunToRunCV(cfg, "")("r", point, "median_ttft_ms"); got != PriorCVTTFT {
		t.Errorf("no baselines: %v, want the default prior %v", got, PriorCVTTFT)
	}
	if err := os.WriteFile(filepath.Join(dir, "r", baseline.HistoryFile), []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := RunToRunCV(cfg, dir)("r", point, "median_ttft_ms"); got != 0 {
		t.Errorf("unreadable history: %v, want 0 (no target)", got)
	}
}

// A point that stopped early sent fewer requests than the history's runs:
// its own sampling error joins the decision interval, which the history's
// spread alone would understate.
func TestEarlyStoppedKeepsWithinRunNoise(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 400, Seed: 3}
	cur := base
	cur.N, cur.Seed = 100, 4
	history := map[string][]float64{"median_tpot_ms": {9.0, 9.05, 8.95, 9.02, 8.98}}
	only := Settings{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	width := func(stopped bool) float64 {
		p := gatetest.Pair(cur, &base, history)
		// The same 100 requests, of a point whose cap is the baseline's 400.
		p.Current.File.NumPrompts, p.Current.File.VllmBench.Point.NumPrompts = 400, 400
		if stopped {
			p.Current.File.VllmBench.EarlyStop = &results.EarlyStop{Precision: 0.02, MinPrompts: 50, Sent: []int{100}}
		}
		c := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}}).Rows()[0].Cells[0]
		if c.Decision == nil {
			t.Fatalf("stopped %v: no decision interval", stopped)
		}
		return c.Decision.Hi - c.Decision.Lo
	}
	full, early := width(false), width(true)
	if !(early > full*1.05) {
		t.Errorf("decision interval %.4f when stopped early, %.4f when not: want the early one wider", early, full)
	}
}
