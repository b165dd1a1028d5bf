package gate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Baseline points a smaller config does not plan are listed as not
// measured, a note; require_all_baseline_points makes them missing.
func TestCompareDirsUnplannedBaselinePoints(t *testing.T) {
	spec := func(conc int) gatetest.Spec {
		return gatetest.Spec{Run: "r", Ctx: 512, Conc: conc, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Seed: uint64(conc)}
	}
	res := writeResults(t, spec(8))
	name := sweep.ResultName(spec(8).Server(), spec(8).Point())
	if err := results.WriteSummary(res, &results.Summary{Points: []results.PointStatus{{File: name, Status: results.StatusOK}}}); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	if err := os.MkdirAll(filepath.Join(base, "r"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []int{8, 32, 64} {
		data, _ := json.Marshal(gatetest.File(spec(c)))
		if err := os.WriteFile(filepath.Join(base, "r", sweep.ResultName(spec(c).Server(), spec(c).Point())), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := CompareDirs([]string{res}, base, nil, Override{})
	if err != nil {
		t.Fatal(err)
	}
	if r := rs[0]; len(r.NotMeasured) != 2 || r.Missing() != 0 || r.Verdict() != VerdictPass || len(r.Rows()) != 1 {
		t.Errorf("not measured %+v, missing %d, verdict %s; want the two unplanned points as a note", r.NotMeasured, r.Missing(), r.Verdict())
	}
	cfg := &config.Config{Runs: []config.Run{{Name: "r", Gate: config.Gate{RequireAllBaselinePoints: true}}}}
	rs, err = CompareDirs([]string{res}, base, cfg, Override{})
	if err != nil {
		t.Fatal(err)
	}
	if r := rs[0]; len(r.NotMeasured) != 0 || r.Missing() != 2 || r.Verdict() != VerdictFailed || r.Count(Missing) != 2 {
		t.Errorf("require_all_baseline_points: not measured %d, missing %d, verdict %s; want 0, 2, failed", len(r.NotMeasured), r.Missing(), r.Verdict())
	}
}

// A point whose server failed could not be measured: an infrastructure
// failure; failed requests on a live server are not.
func TestUnmeasuredPoints(t *testing.T) {
	b := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Seed: 3}
	someFailed := b
	someFailed.Failed = 3
	crashed := gatetest.File(b)
	crashed.VllmBench.Error = "server exited with status 1"
	p := gatetest.Pair(someFailed, &b, nil)
	r := Compare([]baseline.Pair{p}, Options{})
	if row := r.Rows()[0]; row.Verdict != stats.Failed || row.Unmeasured || len(r.UnmeasuredNames()) != 0 {
		t.Errorf("failed requests: verdict %s unmeasured %v", row.Verdict, row.Unmeasured)
	}
	p.Current.File = crashed
	r = Compare([]baseline.Pair{p}, Options{})
	if o := Combine([]*Report{r}, nil); len(o.Unmeasured) != 1 || o.OK() {
		t.Errorf("crashed server: unmeasured %q ok %v, want the point", o.Unmeasured, o.OK())
	}
}
