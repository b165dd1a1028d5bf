package trend

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

const (
	h100  = "NVIDIA H100 80GB HBM3"
	point = "llama_TP1_DP1_CTX512_C8_P100_O128.json"
)

// history returns n history lines of one point whose TPOT and throughput
// have 1 % noise and change by slowdown from run `from` on (TPOT up,
// throughput down); from < 0 means no change.
func history(seed uint64, n, from int, slowdown float64) []baseline.HistoryEntry {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]baseline.HistoryEntry, n)
	for i := range out {
		f := 1.0
		if from >= 0 && i >= from {
			f = slowdown
		}
		out[i] = baseline.HistoryEntry{
			Date:     fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1),
			GitSHA:   fmt.Sprintf("%07x%033x", 0xabc000+i, i),
			GPUModel: h100,
			Points: map[string]map[string]float64{point: {
				"median_ttft_ms":    40 * (1 + 0.01*rng.NormFloat64()),
				"median_tpot_ms":    8 * f * (1 + 0.01*rng.NormFloat64()),
				"output_throughput": 900 / f * (1 + 0.01*rng.NormFloat64()),
			}},
			Spread: map[string]map[string]float64{point: {"median_tpot_ms": 0.4}},
		}
	}
	return out
}

// writeHistory writes entries as run's history under a new baselines
// directory and returns the directory.
func writeHistory(t *testing.T, run string, entries []baseline.HistoryEntry) string {
	t.Helper()
	dir := t.TempDir()
	baselinetest.WriteHistory(t, dir, run, entries)
	return dir
}

func TestAnalyzeNamesTheFirstSlowRun(t *testing.T) {
	entries := history(1, 14, 8, 1.10)
	a, err := Analyze(writeHistory(t, "llama", entries), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Runs) != 1 || len(a.Runs[0].Series) != 3 {
		t.Fatalf("analysis %+v", a)
	}
	found := map[string]Shift{}
	for _, s := range a.Runs[0].Series {
		if s.Server != "llama_TP1_DP1" || s.Label != "CTX512 C8 P100 O128" {
			t.Errorf("series named %q %q", s.Server, s.Label)
		}
		for _, sh := range s.Shifts {
			found[s.Metric] = sh
		}
	}
	if _, ok := found["median_ttft_ms"]; ok {
		t.Errorf("TTFT did not change, yet: %+v", found["median_ttft_ms"])
	}
	for _, m := range []string{"median_tpot_ms", "output_throughput"} {
		sh, ok := found[m]
		if !ok {
			t.Errorf("%s: no change point", m)
			continue
		}
		if sh.FirstAfter.SHA != entries[8].GitSHA || sh.LastBefore.SHA != entries[7].GitSHA || sh.At != 8 {
			t.Errorf("%s: first changed run %s, last before %s; want %s and %s", m, sh.FirstAfter.SHA, sh.LastBefore.SHA, entries[8].GitSHA, entries[7].GitSHA)
		}
		if !sh.Regression || sh.New {
			t.Errorf("%s: regression %v new %v, want a regression found before the newest run", m, sh.Regression, sh.New)
		}
		if sh.CI.Lo > sh.Change || sh.CI.Hi < sh.Change || sh.CI.Lo*sh.CI.Hi <= 0 {
			t.Errorf("%s: change %g, interval %+v", m, sh.Change, sh.CI)
		}
	}
	if tp := found["median_tpot_ms"]; tp.Change < 0.08 || tp.Change > 0.12 {
		t.Errorf("tpot change %g, want about +10 %%", tp.Change)
	}
	if a.ChangePoints() != 2 || a.NewRegressions() != 0 {
		t.Errorf("%d change points, %d new regressions; want 2 and 0", a.ChangePoints(), a.NewRegressions())
	}
}

func TestAnalyzeNoiseOnly(t *testing.T) {
	a, err := Analyze(writeHistory(t, "llama", history(2, 14, -1, 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := a.ChangePoints(); n != 0 {
		t.Errorf("%d change points in noise: %s", n, a.Text())
	}
	if !strings.Contains(a.Text(), "no change point in 3 series") {
		t.Errorf("text:\n%s", a.Text())
	}
}

func TestAnalyzeNewChangePoint(t *testing.T) {
	// Night after night a history grows; the slowdown starts on night 12.
	// Exactly one night reveals it as a new regression; later nights still
	// show the change point, no longer new.
	entries := history(3, 20, 11, 1.10)
	opts := Options{Metrics: map[string][]string{"llama": {"median_tpot_ms"}}}
	revealed := 0
	for night := 4; night <= len(entries); night++ {
		a, err := Analyze(writeHistory(t, "llama", entries[:night]), opts)
		if err != nil {
			t.Fatal(err)
		}
		if night <= 11 && a.ChangePoints() != 0 {
			t.Errorf("night %d: %d change points before the slowdown", night, a.ChangePoints())
		}
		if night == len(entries) {
			sh := a.Runs[0].Series[0].Shifts
			if len(sh) != 1 || sh[0].FirstAfter.SHA != entries[11].GitSHA {
				t.Errorf("last night: shifts %+v, want one starting at %s", sh, entries[11].GitSHA)
			}
		}
		revealed += a.NewRegressions()
	}
	if revealed != 1 {
		t.Errorf("%d nights revealed a new regression, want 1", revealed)
	}
}

func TestAnalyzeOtherHardwareAndGaps(t *testing.T) {
	entries := history(4, 14, 8, 1.10)
	entries[0].GPUModel = "NVIDIA A100-SXM4-80GB"
	delete(entries[5].Points, point) // a night that did not run the point
	a, err := Analyze(writeHistory(t, "llama", entries), Options{Metrics: map[string][]string{"llama": {"median_tpot_ms"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := a.Runs[0]
	if r.OtherHardware != 1 || len(r.History) != 13 || len(r.Series[0].Values) != 12 {
		t.Fatalf("other hardware %d, history %d, values %d; want 1, 13, 12", r.OtherHardware, len(r.History), len(r.Series[0].Values))
	}
	if sh := r.Series[0].Shifts; len(sh) != 1 || sh[0].FirstAfter.SHA != entries[8].GitSHA {
		t.Errorf("shifts %+v, want the first changed run at %s", sh, entries[8].GitSHA)
	}
}

func TestAnalyzeInputs(t *testing.T) {
	a, err := Analyze(filepath.Join(t.TempDir(), "none"), Options{})
	if err != nil || len(a.Runs) != 0 || a.Headline() != "trend: no history to analyse" {
		t.Errorf("missing directory: %+v, %v", a, err)
	}
	dir := writeHistory(t, "llama", history(5, 3, -1, 1))
	bad := filepath.Join(dir, "llama", baseline.HistoryFile)
	if err := os.WriteFile(bad, []byte("{}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(dir, Options{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q:2", bad)) {
		t.Errorf("err = %v, want it to name %q line 2", err, bad)
	}
	if _, err := Analyze(writeHistory(t, "llama", history(5, 8, -1, 1)), Options{Detect: stats.EDivisiveOptions{Alpha: 2}}); err == nil || !strings.Contains(err.Error(), "alpha") {
		t.Errorf("bad alpha: err = %v", err)
	}
	// Runs limits the analysis to a config's runs.
	a, err = Analyze(writeHistory(t, "llama", history(6, 8, -1, 1)), Options{Runs: []string{"other"}})
	if err != nil || len(a.Runs) != 0 {
		t.Errorf("runs filter: %+v, %v", a, err)
	}
}

func TestKeepMarksTheRunsAroundAChange(t *testing.T) {
	entries := history(7, 20, 10, 1.10)
	marks := Keep(stats.EDivisiveOptions{})(entries)
	for i, m := range marks {
		if want := i >= 7 && i < 13; m != want {
			t.Errorf("line %d kept %v, want %v", i, m, want)
		}
	}
	none := Keep(stats.EDivisiveOptions{})(history(8, 20, -1, 1))
	for i, m := range none {
		if m {
			t.Errorf("noise: line %d kept", i)
		}
	}
}

func TestSplitPointName(t *testing.T) {
	tests := []struct{ run, name, server, label string }{
		{"llama", "llama_TP1_DP1_CTX512_C8_P100_O128.json", "llama_TP1_DP1", "CTX512 C8 P100 O128"},
		{"my_run", "my_run_TP2_DP1_PP2_CTX1024_C4_P10_O16_R2.5.json", "my_run_TP2_DP1_PP2", "CTX1024 C4 P10 O16 R2.5"},
		{"llama", "odd.json", "odd", ""},
	}
	for _, tt := range tests {
		if s, l := splitPointName(tt.run, tt.name); s != tt.server || l != tt.label {
			t.Errorf("%s: %q %q, want %q %q", tt.name, s, l, tt.server, tt.label)
		}
	}
}
