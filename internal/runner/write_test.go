package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sim/simtest"
)

// fullDisk is a WriteFile that fails with ENOSPC for the files whose
// names pass fails, a given number of times each, and writes the others;
// it records every try.
type fullDisk struct {
	fails func(name string) bool
	times int
	tries map[string]int
}

func (d *fullDisk) write(path string, data []byte) error {
	name := filepath.Base(path)
	d.tries[name]++
	if d.fails(name) && d.tries[name] <= d.times {
		return fmt.Errorf("writing %q: %w", path, syscall.ENOSPC)
	}
	return results.WriteAtomic(path, data)
}

// externalPlan is a plan of two points against the running server at base.
func externalPlan(t *testing.T, base, outDir string) Plan {
	t.Helper()
	yaml := fmt.Sprintf(`runs:
  - name: disk
    engine: external
    serve:
      model_path: sim-model
      base_url: %s
    bench:
      output_dir: %s
      context_size: [64]
      concurrency: [2]
      num_prompts: [4, 6]
      output_len: [8]
`, base, outDir)
	cfg, err := config.Parse("disk.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(cfg, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestRunRetriesAResultWriteOnce(t *testing.T) {
	base := simtest.Start(t, "--sim-speedup", "100")
	out := t.TempDir()
	first := "disk_TP1_DP1_CTX64_C2_P4_O8.json"
	disk := &fullDisk{fails: func(name string) bool { return name == first }, times: 1, tries: map[string]int{}}
	obs := &steps{}
	o, err := Run(context.Background(), externalPlan(t, base, out), Options{WriteFile: disk.write, Observer: obs})
	if err != nil || len(o.Failures) > 0 || len(o.Unindexed) > 0 {
		t.Fatalf("Run: %v, failures %q, unindexed %q", err, o.Failures, o.Unindexed)
	}
	if disk.tries[first] != 2 {
		t.Errorf("%s written %d times, want 2 (one failure, one retry)", first, disk.tries[first])
	}
	f, err := results.Read(filepath.Join(out, first))
	if err != nil || f.Completed != 4 {
		t.Fatalf("the retried point: %v (completed %v), want its 4 requests", err, f)
	}
	if !strings.Contains(obs.String(), "writing point CTX64 C2 P4 O8 once more") {
		t.Errorf("the retry is not reported:\n%s", obs)
	}
}

func TestRunOnAFullDiskNamesTheLostPointAndTheMissingIndex(t *testing.T) {
	base := simtest.Start(t, "--sim-speedup", "100")
	out := t.TempDir()
	disk := &fullDisk{fails: func(string) bool { return true }, times: 2, tries: map[string]int{}}
	o, err := Run(context.Background(), externalPlan(t, base, out), Options{WriteFile: disk.write})
	if len(o.Failures) != 1 || !strings.Contains(o.Failures[0], "point CTX64 C2 P4 O8 was measured but is lost") ||
		!strings.Contains(o.Failures[0], "no space left on device") {
		t.Errorf("failures %q, want one naming the lost point and the cause", o.Failures)
	}
	if disk.tries["disk_TP1_DP1_CTX64_C2_P4_O8.json"] != 2 {
		t.Errorf("the lost point was written %d times, want 2", disk.tries["disk_TP1_DP1_CTX64_C2_P4_O8.json"])
	}
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no index written in "+out) {
		t.Errorf("Run's error %v, want the missing index of %s and its cause", err, out)
	}
	if len(o.Unindexed) != 1 || o.Unindexed[0] != out {
		t.Errorf("unindexed %q, want [%s]", o.Unindexed, out)
	}
	if _, err := os.Stat(filepath.Join(out, results.SummaryName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("summary.json: %v, want none", err)
	}
}

// steps records the steps a sweep reports.
type steps struct {
	Quiet
	strings.Builder
}

func (s *steps) Step(msg string) { s.WriteString(msg + "\n") }
