package results

import (
	"path/filepath"
	"testing"
)

func TestMergeAccountsForEveryShardsStarts(t *testing.T) {
	cold := false
	shard := func(i string, acct *Accounting) string {
		dir := t.TempDir()
		sum := &Summary{ConfigSHA256: "c0ffee", Shard: i + "/3", Points: []PointStatus{}, Accounting: acct}
		if err := WriteSummary(dir, sum); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a := shard("1", NewAccounting([]ServerAccount{{Server: "llama_TP1_DP1", GPUs: 1, StartS: 30, Started: true, CacheWarm: &cold, HeldS: 100, GPUSeconds: 100}}))
	b := shard("2", NewAccounting([]ServerAccount{{Server: "llama_TP2_DP1", GPUs: 2, StartS: 40, Started: true, HeldS: 90, GPUSeconds: 180}}))
	c := shard("3", nil) // a shard that started nothing
	out := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(out, []string{a, b, c}); err != nil {
		t.Fatal(err)
	}
	sum, err := ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accounting == nil || len(sum.Accounting.Servers) != 2 {
		t.Fatalf("merged accounting = %+v, want both shards' starts", sum.Accounting)
	}
	if got := sum.Accounting.Totals; got.Starts != 2 || got.GPUSeconds != 280 || got.StartGPUSeconds != 30+2*40 {
		t.Errorf("merged totals = %+v, want 2 starts, 280 GPU-seconds, 110 of them starting", got)
	}
}
