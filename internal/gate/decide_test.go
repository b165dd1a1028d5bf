package gate

import (
	"math"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// A 10 % slowdown is never unchanged: without history it is undecided and
// the cells say they could not detect it (detectable above 10 %); with a
// tight history it is a regression and detectable is below 10 %.
func TestCompareSlowdownNeverUnchanged(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 200, Seed: 3}
	slow := base
	slow.TTFTMs, slow.TPOTMs, slow.OutputTokS, slow.Seed = 55, 9.9, 920, 4
	tight := map[string][]float64{
		"median_ttft_ms":    {50, 50.2, 49.8, 50.1, 49.9},
		"median_tpot_ms":    {9, 9.02, 8.98, 9.01, 8.99},
		"output_throughput": {1000, 1002, 998, 1001, 999},
	}
	for _, tt := range []struct {
		name          string
		history       map[string][]float64
		want          stats.Verdict
		noise         string
		detectableMin float64
		detectableMax float64
	}{
		{"no history", nil, stats.Undecided, NoisePrior, 0.10, math.Inf(1)},
		{"tight history", tight, stats.Regression, NoiseHistory, 0, 0.10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare([]baseline.Pair{gatetest.Pair(slow, &base, tt.history)}, Options{Seed: 1})
			for _, c := range r.Rows()[0].Cells {
				if c.Verdict != tt.want || c.Noise != tt.noise {
					t.Errorf("%s: %s (noise %s), want %s (%s)", c.Metric, c.Verdict, c.Noise, tt.want, tt.noise)
				}
				if !(c.Detectable > tt.detectableMin && c.Detectable < tt.detectableMax) {
					t.Errorf("%s: detectable %.3f, want in (%.2f, %.2f)", c.Metric, c.Detectable, tt.detectableMin, tt.detectableMax)
				}
				if c.Decision == nil || c.Decision.Lo >= -c.Bound && c.Decision.Hi <= c.Bound {
					t.Errorf("%s: decision interval %v within ±%v", c.Metric, c.Decision, c.Bound)
				}
			}
		})
	}
}

// The run-to-run noise of the decision: history when there is enough, else
// the prior, raised by repeats that scatter more.
func TestRunToRun(t *testing.T) {
	m, _ := LookupMetric("output_throughput")
	one := gatetest.File(gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 20, Seed: 3})
	se, from := runToRun(nil, 0.03, m.Samples(one), m.Samples(one))
	if from != NoisePrior || math.Abs(se.SE-math.Sqrt2*0.03) > 1e-12 {
		t.Errorf("no history: %v from %s, want sqrt(2)*3%% from prior", se, from)
	}
	se, from = runToRun([]float64{100, 101, 99}, 0.03, m.Samples(one), m.Samples(one))
	if from != NoiseHistory || math.Abs(se.SE-math.Sqrt2*stats.CV([]float64{100, 101, 99})) > 1e-12 || se.DF != 2 {
		t.Errorf("history: %v from %s", se, from)
	}
	b := gatetest.File(gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 20, Repeats: 2, Seed: 3})
	x := gatetest.File(gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 20, Repeats: 2, Seed: 4})
	b.VllmBench.Repeats[0].OutputThroughput, b.VllmBench.Repeats[1].OutputThroughput = 800, 1200
	if _, from = runToRun(nil, 0.03, m.Samples(b), m.Samples(x)); from != NoiseRepeats {
		t.Errorf("scattered repeats: from %s, want repeats", from)
	}
}
