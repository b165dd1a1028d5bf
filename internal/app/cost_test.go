package app

import (
	"slices"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

func TestCostLine(t *testing.T) {
	warm, cold := true, false
	tests := []struct {
		name     string
		accounts []results.ServerAccount
		want     string
	}{
		{"none", nil, ""},
		{"one GPU", []results.ServerAccount{
			{GPUs: 1, StartS: 2, WarmupS: 1, MeasuringS: 6, StoppingS: 0.5, OtherS: 0.5, HeldS: 10, GPUSeconds: 10, CacheWarm: &cold},
		}, "GPU time 10.0s: 1 start 2.0s, warmup 1.0s, measuring 6.0s, stopping 0.5s, other 0.5s"},
		{"phases weighed by GPUs", []results.ServerAccount{
			{GPUs: 2, StartS: 60, MeasuringS: 240, HeldS: 300, GPUSeconds: 600, CacheWarm: &cold},
			{GPUs: 1, StartS: 10, MeasuringS: 70, HeldS: 80, GPUSeconds: 80, CacheWarm: &warm},
		}, "GPU time 11m20s: 2 starts 2m10s (1 warm), measuring 9m10s"},
	}
	for _, tt := range tests {
		if got := costLine(tt.accounts); got != tt.want {
			t.Errorf("%s: costLine = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestABCostLines(t *testing.T) {
	acct := func(side string, round int, gpuS float64) results.ServerAccount {
		return results.ServerAccount{Side: side, Round: round, GPUs: 1, StartS: 1, MeasuringS: gpuS - 1, HeldS: gpuS, GPUSeconds: gpuS}
	}
	servers := []runner.ABServer{{Accounts: []results.ServerAccount{
		acct("baseline", 1, 10), acct("candidate", 1, 12), acct("candidate", 2, 11), acct("baseline", 2, 9),
	}}}
	want := []string{
		"GPU time 42.0s: 4 starts 4.0s, measuring 38.0s",
		"GPU time by build: baseline 19.0s in 2 starts, candidate 23.0s in 2 starts",
		"GPU time by round: round 1 22.0s, round 2 20.0s",
	}
	if got := abCostLines(servers); !slices.Equal(got, want) {
		t.Errorf("abCostLines =\n%q\nwant\n%q", got, want)
	}
	if got := abCostLines([]runner.ABServer{{}}); got != nil {
		t.Errorf("abCostLines with no start = %q, want none", got)
	}
}
