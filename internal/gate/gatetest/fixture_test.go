package gatetest

import (
	"math"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
)

func TestFileFollowsTheSpec(t *testing.T) {
	s := Spec{Run: "r", Ctx: 512, Conc: 8, GPU: H100, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 400, Repeats: 3, Failed: 4, Seed: 1}
	f := File(s)
	if f.Completed != 396 || f.Failed != 4 || len(f.Errors) != 400 || f.Errors[0] == "" || f.Errors[4] != "" {
		t.Errorf("completed %d failed %d, %d errors", f.Completed, f.Failed, len(f.Errors))
	}
	if math.Abs(f.MedianTTFTMs/50-1) > 0.05 || math.Abs(f.MedianTPOTMs/9-1) > 0.02 || math.Abs(f.OutputThroughput/1000-1) > 0.03 {
		t.Errorf("medians %g ms, %g ms, throughput %g tok/s; want about 50, 9 and 1000", f.MedianTTFTMs, f.MedianTPOTMs, f.OutputThroughput)
	}
	if len(f.VllmBench.Repeats) != 3 || f.VllmBench.Env.GPUModel != H100 || f.VllmBench.Point != s.Point() {
		t.Errorf("meta %+v", f.VllmBench)
	}
	if again := File(s); again.MedianTTFTMs != f.MedianTTFTMs {
		t.Errorf("the same seed gave %g and %g", f.MedianTTFTMs, again.MedianTTFTMs)
	}
}

func TestPair(t *testing.T) {
	s := Spec{Run: "r", Ctx: 8, Conc: 1, GPU: H100, TTFTMs: 50, TPOTMs: 9, OutputTokS: 100, N: 2, Seed: 1}
	other := s
	other.GPU = "NVIDIA A100-SXM4-80GB"
	if p := Pair(s, &other, nil); !strings.Contains(p.Mismatch, "A100") || p.BaselinePath != "baselines/r/"+p.Current.Name {
		t.Errorf("pair on other hardware: %+v", p)
	}
	failed := s
	failed.Failed = 2
	if p := Pair(failed, nil, nil); p.Baseline != nil || !strings.HasSuffix(p.Current.Path, baseline.FailedSuffix) {
		t.Errorf("failed pair: path %q, baseline %v", p.Current.Path, p.Baseline)
	}
	if n := len(GoldenPairs()); n != 7 {
		t.Errorf("%d golden pairs, want 7", n)
	}
}
