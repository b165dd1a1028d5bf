package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// nightlySHA is the commit of night n in trendHistory.
func nightlySHA(n int) string { return fmt.Sprintf("%07x%033x", 0xc0ffee0+n, n) }

// trendHistory accepts nights results directories into a new baselines
// directory, each with its own commit; from night slowFrom on (1-based)
// TPOT is 10 % slower and output throughput 10 % lower.
func trendHistory(t *testing.T, nights, slowFrom int) string {
	t.Helper()
	base := t.TempDir()
	rng := rand.New(rand.NewPCG(9, 9))
	for n := 1; n <= nights; n++ {
		dir := t.TempDir()
		f := 1.0
		if n >= slowFrom {
			f = 1.10
		}
		for i, c := range []int{4, 16} {
			name, r := gateResult(c, 1, uint64(n*10+i))
			r.MedianTPOTMs = 9 * f * (1 + 0.01*rng.NormFloat64())
			r.OutputThroughput = 1000 / f * (1 + 0.01*rng.NormFloat64())
			r.VllmBench.Env.GitSHA = nightlySHA(n)
			r.VllmBench.EndTime = fmt.Sprintf("2026-10-%02dT03:00:00Z", n)
			if err := results.Write(filepath.Join(dir, name), r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := baseline.Update(dir, base); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func TestTrendCommand(t *testing.T) {
	base := trendHistory(t, 14, 9)
	code, out, errOut := runCmd(t, cmdTrend, "--baselines", base)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	first := nightlySHA(9)[:7]
	for _, m := range []string{"median_tpot_ms", "output_throughput"} {
		if !strings.Contains(out, m) || strings.Count(out, "first changed run: "+first) != 4 {
			t.Errorf("trend does not name %s for %s at both points:\n%s", first, m, out)
		}
	}

	// Markdown links commits to the repository GitHub Actions names.
	var md bytes.Buffer
	env := &Env{Getenv: func(k string) string {
		return map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "o/r"}[k]
	}, Stdout: &md, Stderr: &bytes.Buffer{}}
	if err := cmdTrend(context.Background(), env, []string{"--baselines", base, "--format", "markdown"}); err != nil {
		t.Fatalf("markdown: %v", err)
	}
	if !strings.Contains(md.String(), "https://github.example/o/r/commit/"+nightlySHA(9)) || !strings.Contains(md.String(), "```mermaid") {
		t.Errorf("markdown:\n%s", md.String())
	}

	code, out, _ = runCmd(t, cmdTrend, "--baselines", base, "--format", "json")
	var js struct {
		ChangePoints int `json:"change_points"`
	}
	if err := json.Unmarshal([]byte(out), &js); code != ExitOK || err != nil || js.ChangePoints != 4 {
		t.Errorf("json: exit %d, %v, %d change points:\n%s", code, err, js.ChangePoints, out)
	}
}

func TestTrendFailOnChangePoint(t *testing.T) {
	// Night after night: exactly one night reveals the slowdown and fails.
	failed := 0
	for nights := 10; nights <= 16; nights++ {
		code, out, errOut := runCmd(t, cmdTrend, "--baselines", trendHistory(t, nights, 11), "--fail-on-change-point")
		switch code {
		case ExitOK:
		case ExitRegression:
			failed++
			if !strings.Contains(out, "new") {
				t.Errorf("night %d failed without a new change point:\n%s", nights, out)
			}
		default:
			t.Fatalf("night %d: exit %d: %s", nights, code, errOut)
		}
	}
	if failed != 1 {
		t.Errorf("%d nights failed, want 1", failed)
	}
}

func TestTrendMissingBaselines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	code, out, errOut := runCmd(t, cmdTrend, "--baselines", dir)
	if code != ExitOK || !strings.Contains(out, "no history to analyse") || !strings.Contains(errOut, fmt.Sprintf("warning: trend: baselines directory %q does not exist", dir)) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

func TestTrendNoChange(t *testing.T) {
	code, out, _ := runCmd(t, cmdTrend, "--baselines", trendHistory(t, 14, 99), "--fail-on-change-point")
	if code != ExitOK || !strings.HasPrefix(out, "trend: no change point\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestTrendAndDashboardInvalid(t *testing.T) {
	base := trendHistory(t, 4, 99)
	bad := t.TempDir()
	hist := filepath.Join(bad, "gate", baseline.HistoryFile)
	if err := os.MkdirAll(filepath.Dir(hist), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hist, []byte("nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmd  func(context.Context, *Env, []string) error
		args []string
		want string
	}{
		{"format", cmdTrend, []string{"--baselines", base, "--format", "html"}, "--format: must be text, markdown or json"},
		{"alpha", cmdTrend, []string{"--alpha", "1.5"}, "-alpha"},
		{"min runs", cmdTrend, []string{"--min-runs", "1"}, "-min-runs"},
		{"corrupt history", cmdTrend, []string{"--baselines", bad}, fmt.Sprintf("%q:1", hist)},
		{"missing config", cmdTrend, []string{"--baselines", base, "-c", filepath.Join(bad, "none.yaml")}, "none.yaml"},
		{"dashboard without --out", cmdDashboard, []string{"--baselines", base}, "--out SITE is required"},
		{"dashboard repo", cmdDashboard, []string{"--baselines", base, "--out", t.TempDir(), "--repo", "ftp://x"}, `"ftp://x"`},
		{"dashboard unwritable", cmdDashboard, []string{"--baselines", base, "--out", filepath.Join(file, "site")}, file},
	}
	for _, tt := range tests {
		code, _, errOut := runCmd(t, tt.cmd, tt.args...)
		if code != ExitInvalid || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line with %q", tt.name, code, errOut, tt.want)
		}
	}
}

func TestDashboardCommand(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site")
	code, out, errOut := runCmd(t, cmdDashboard, "--baselines", trendHistory(t, 14, 9), "--out", site, "--repo", "https://github.com/o/r")
	if code != ExitOK || !strings.Contains(out, filepath.Join(site, "index.html")) {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil || !strings.Contains(string(page), "https://github.com/o/r/commit/"+nightlySHA(9)) {
		t.Errorf("page does not link the first slow night: %v", err)
	}
}

func TestBaselineUpdateHistoryFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := writeRunConfig(t, dir, "gate.yaml", simRun{name: "gate", port: 1, out: dir})
	base := filepath.Join(dir, "baselines")
	for n := 1; n <= 3; n++ {
		res := writeGateResults(t, 1, uint64(n))
		code, _, errOut := cli(t, nil, "baseline", "update", "--results", res, "--baselines", base, "-c", cfg, "--history-cap", "2")
		if code != ExitOK {
			t.Fatalf("night %d: exit %d: %s", n, code, errOut)
		}
	}
	hist, err := baseline.ReadHistory(filepath.Join(base, "gate", baseline.HistoryFile))
	if err != nil || len(hist) != 2 {
		t.Fatalf("history: %d lines, %v; want the cap of 2", len(hist), err)
	}
	for name, stats := range hist[1].Points {
		if len(stats) != 3 {
			t.Errorf("%s: %d statistics kept, want the 3 gated metrics: %v", name, len(stats), stats)
		}
	}
	if code, _, errOut := cli(t, nil, "baseline", "update", "--results", dir, "--history-cap", "0"); code != ExitInvalid || !strings.Contains(errOut, "--history-cap") {
		t.Errorf("cap 0: exit %d: %s", code, errOut)
	}
}
