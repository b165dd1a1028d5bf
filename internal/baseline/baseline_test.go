package baseline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

const h100 = "NVIDIA H100 80GB HBM3"

// result returns a small complete result of run at concurrency conc.
func result(run string, conc int, gpu string) (string, *results.File) {
	srv := sweep.Server{Run: run, TP: 1, DP: 1, PP: 1}
	pt := sweep.Point{ContextSize: 512, Concurrency: conc, NumPrompts: 10, OutputLen: 16}
	f := &results.File{
		Completed: 10, MedianTTFTMs: 40 + float64(conc), OutputThroughput: 100 * float64(conc),
		Ttfts: []float64{0.04, 0.05}, Latencies: []float64{0.2, 0.3}, OutputLens: []int{16, 16}, Errors: []string{"", ""},
		VllmBench: results.Meta{
			SchemaVersion: results.SchemaVersion, Run: run, TP: 1, DP: 1, PP: 1, Point: pt,
			Env:     results.Env{GPUModel: gpu, GitSHA: "abc123"},
			EndTime: fmt.Sprintf("2025-01-0%dT00:00:00Z", 1+conc%9),
		},
	}
	return sweep.ResultName(srv, pt), f
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// resultsDir writes a results directory: points at concurrency 1 and 2, a
// failed point at 4, a summary and a log.
func resultsDir(t *testing.T, gpu string) string {
	t.Helper()
	dir := t.TempDir()
	var sum results.Summary
	for _, c := range []int{1, 2} {
		name, f := result("llama", c, gpu)
		writeJSON(t, filepath.Join(dir, name), f)
		sum.Points = append(sum.Points, results.PointStatus{File: name, Status: "ok"})
	}
	name, f := result("llama", 4, gpu)
	f.Completed, f.VllmBench.Error = 0, "server exited with status 1"
	failed := strings.TrimSuffix(name, ".json") + FailedSuffix
	writeJSON(t, filepath.Join(dir, failed), f)
	sum.Points = append(sum.Points, results.PointStatus{File: failed, Status: "failed"})
	// A point of an earlier sweep that this one did not plan, and one it
	// planned but did not get to (not-run): their files are not judged.
	stale, old := result("llama", 8, gpu)
	writeJSON(t, filepath.Join(dir, stale), old)
	notRun, older := result("llama", 16, gpu)
	writeJSON(t, filepath.Join(dir, notRun), older)
	sum.Points = append(sum.Points, results.PointStatus{File: notRun, Status: "not-run"})
	writeJSON(t, filepath.Join(dir, results.SummaryName), sum)
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logs", "llama_TP1_DP1.log"), []byte("log"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadResults(t *testing.T) {
	rs, err := LoadResults(resultsDir(t, h100))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d results, want 3", len(rs))
	}
	var failed []string
	for _, r := range rs {
		if r.Failed() {
			failed = append(failed, r.Name)
		}
	}
	if len(failed) != 1 || failed[0] != "llama_TP1_DP1_CTX512_C4_P10_O16.json" {
		t.Errorf("failed points = %q", failed)
	}
}

func TestLoadResultsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "llama_TP1_DP1_CTX512_C1_P10_O16.json")
	if err := os.WriteFile(bad, []byte(`{"date": `), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadResults(dir)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
		t.Errorf("corrupt result: err = %v, want it to name %q", err, bad)
	}
	if _, err := LoadResults(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing results directory: no error")
	}
}

func TestUpdateThenMatch(t *testing.T) {
	res := resultsDir(t, h100)
	base := filepath.Join(t.TempDir(), "baselines")

	// Before any update every point is new.
	pairs, err := Load(res, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		if p.Baseline != nil {
			t.Errorf("%s: baseline before update", p.Name())
		}
	}

	up, err := Update(res, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Promoted) != 2 || len(up.Skipped) != 1 || len(up.Histories) != 1 {
		t.Fatalf("update = %+v", up)
	}
	if !strings.Contains(up.Skipped[0].Reason, "server exited") {
		t.Errorf("skip reason = %q", up.Skipped[0].Reason)
	}

	pairs, err = Load(res, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		wantBase := !p.Current.Failed()
		if (p.Baseline != nil) != wantBase || p.Mismatch != "" {
			t.Errorf("%s: baseline %v, mismatch %q", p.Name(), p.Baseline != nil, p.Mismatch)
		}
		if wantBase && len(p.History["median_ttft_ms"]) != 1 {
			t.Errorf("%s: history %v", p.Name(), p.History)
		}
	}

	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 {
		t.Fatalf("history = %v, %v", hist, err)
	}
	if h := hist[0]; h.GitSHA != "abc123" || h.GPUModel != h100 || len(h.Points) != 2 || h.Date != "2025-01-03T00:00:00Z" {
		t.Errorf("history entry = %+v", h)
	}
}

func TestMatchHardwareMismatch(t *testing.T) {
	base := t.TempDir()
	if _, err := Update(resultsDir(t, "NVIDIA A100-SXM4-80GB"), base); err != nil {
		t.Fatal(err)
	}
	pairs, err := Load(resultsDir(t, h100), base)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		if p.Current.Failed() {
			continue
		}
		if !strings.Contains(p.Mismatch, "A100") || !strings.Contains(p.Mismatch, "H100") {
			t.Errorf("%s: mismatch %q", p.Name(), p.Mismatch)
		}
		if len(p.History) != 0 {
			t.Errorf("%s: history from other hardware used: %v", p.Name(), p.History)
		}
	}
}

func TestMatchCorruptBaseline(t *testing.T) {
	res := resultsDir(t, h100)
	base := t.TempDir()
	name, _ := result("llama", 1, h100)
	bad := filepath.Join(base, "llama", name)
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(res, base)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
		t.Errorf("err = %v, want it to name %q", err, bad)
	}

	// A corrupt history names its file and line.
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(base, "llama", HistoryFile)
	if err := os.WriteFile(hist, []byte("{}\nnope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(res, base); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q:2", hist)) {
		t.Errorf("err = %v, want it to name %q line 2", err, hist)
	}
}

func TestFindMissing(t *testing.T) {
	// With a summary: the planned point not run is missing; the point of an
	// earlier sweep is not (this sweep did not plan it).
	dir := resultsDir(t, h100)
	cur, err := LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := FindMissing(dir, t.TempDir(), cur)
	notRun, _ := result("llama", 16, h100)
	if err != nil || len(missing) != 1 || missing[0].Name != notRun || missing[0].Point.Concurrency != 16 || !strings.Contains(missing[0].Reason, "not run") {
		t.Fatalf("with a summary: %+v, %v", missing, err)
	}

	// Without a summary: the baseline's points of the run are expected.
	base := t.TempDir()
	for _, c := range []int{1, 2, 4} {
		name, f := result("llama", c, h100)
		writeJSON(t, filepath.Join(base, "llama", name), f)
	}
	partial := t.TempDir()
	name, f := result("llama", 1, h100)
	writeJSON(t, filepath.Join(partial, name), f)
	cur, err = LoadResults(partial)
	if err != nil {
		t.Fatal(err)
	}
	missing, err = FindMissing(partial, base, cur)
	if err != nil || len(missing) != 2 || missing[0].Server.Run != "llama" {
		t.Fatalf("without a summary: %+v, %v", missing, err)
	}

	// Nothing at all to judge.
	if _, err := FindMissing(t.TempDir(), base, nil); !errors.Is(err, ErrNoResults) {
		t.Errorf("empty directory: %v, want ErrNoResults", err)
	}
}
