package app

import (
	"slices"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
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
	servers := []results.ServerAccount{
		acct("baseline", 1, 10), acct("candidate", 1, 12), acct("candidate", 2, 11), acct("baseline", 2, 9),
	}
	want := []string{
		"GPU time 42.0s: 4 starts 4.0s, measuring 38.0s",
		"GPU time by build: baseline 19.0s in 2 starts, candidate 23.0s in 2 starts",
		"GPU time by round: round 1 22.0s, round 2 20.0s",
	}
	if got := abCostLines(servers); !slices.Equal(got, want) {
		t.Errorf("abCostLines =\n%q\nwant\n%q", got, want)
	}
	if got := abCostLines(nil); got != nil {
		t.Errorf("abCostLines with no start = %q, want none", got)
	}
}

// TestCostLinesFromSummaries: the GPU time comes from the accounting each
// results directory's summary.json recorded, once per directory; a paired
// comparison's directories give the totals per build.
func TestCostLinesFromSummaries(t *testing.T) {
	write := func(dir string, accounts ...results.ServerAccount) string {
		if err := results.WriteSummary(dir, &results.Summary{Config: "c.yaml", Accounting: results.NewAccounting(accounts)}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	one := write(t.TempDir(), results.ServerAccount{GPUs: 2, StartS: 60, MeasuringS: 240, HeldS: 300, GPUSeconds: 600})
	two := write(t.TempDir(), results.ServerAccount{GPUs: 1, StartS: 10, MeasuringS: 70, HeldS: 80, GPUSeconds: 80})
	want := []string{"GPU time 11m20s: 2 starts 2m10s, measuring 9m10s"}
	if got := costLines([]string{one, two, one, t.TempDir()}); !slices.Equal(got, want) {
		t.Errorf("costLines = %q, want %q", got, want)
	}
	base := write(t.TempDir(), results.ServerAccount{Side: "baseline", Round: 1, GPUs: 1, StartS: 1, MeasuringS: 9, HeldS: 10, GPUSeconds: 10})
	cand := write(t.TempDir(), results.ServerAccount{Side: "candidate", Round: 1, GPUs: 1, StartS: 1, MeasuringS: 11, HeldS: 12, GPUSeconds: 12})
	got := costLines([]string{base, cand})
	if len(got) != 3 || got[1] != "GPU time by build: baseline 10.0s in 1 start, candidate 12.0s in 1 start" {
		t.Errorf("costLines of a paired comparison = %q", got)
	}
	if got := costLines([]string{t.TempDir()}); got != nil {
		t.Errorf("costLines without a summary = %q, want none", got)
	}
}
