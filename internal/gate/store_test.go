package gate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// writeResults writes result files of specs into a new directory.
func writeResults(t *testing.T, specs ...gatetest.Spec) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range specs {
		data, err := json.Marshal(gatetest.File(s))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sweep.ResultName(s.Server(), s.Point())), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUpdateThenCompareSameResults(t *testing.T) {
	var specs []gatetest.Spec
	// One repeat of 100 requests: the files account for every request, as
	// complete results do, so baseline update promotes them.
	for i, c := range []int{1, 8, 64} {
		specs = append(specs, gatetest.Spec{Run: "r", Ctx: 512, Conc: c, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Repeats: 1, Seed: uint64(i)})
	}
	res := writeResults(t, specs...)
	base := t.TempDir()

	// Without baselines, every point is new and the gate passes.
	pairs, err := baseline.Load(res, base)
	if err != nil {
		t.Fatal(err)
	}
	r := Compare(pairs, Options{})
	if r.Count(stats.New) != 3 || r.Verdict() != VerdictPass {
		t.Fatalf("before update: %d new, verdict %s", r.Count(stats.New), r.Verdict())
	}

	if _, err := baseline.Update(res, base); err != nil {
		t.Fatal(err)
	}
	pairs, err = baseline.Load(res, base)
	if err != nil {
		t.Fatal(err)
	}
	r = Compare(pairs, Options{})
	// One accepted run is no history: the same results pass, undecided.
	if r.Verdict() != VerdictPass || r.Count(stats.Undecided) != 3 {
		t.Errorf("same results after update: %d undecided, verdict %s", r.Count(stats.Undecided), r.Verdict())
	}
}
