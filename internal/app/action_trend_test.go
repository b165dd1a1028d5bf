package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// nightlyFixture runs one real sweep on the simulator and returns its
// config and results directory, and the points' statistics as history
// keeps them.
func nightlyFixture(t *testing.T) (cfg, night, gpu string, points map[string]map[string]float64) {
	t.Helper()
	dir := t.TempDir()
	night = filepath.Join(dir, "night")
	cfg = writeRunConfig(t, dir, "nightly.yaml", simRun{name: "nightly", port: runTestPort(t), out: night, conc: "[4]", nump: "[16]", olen: "[16]"})
	if code, _, stderr := cli(t, nil, "run", "-c", cfg); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join(night, "nightly_*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("result files %v, %v", files, err)
	}
	f, err := results.Read(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return cfg, night, f.VllmBench.Env.GPUModel, map[string]map[string]float64{filepath.Base(files[0]): baseline.Summarize(f)}
}

// writeNightlyHistory writes the history of run "nightly": old lines whose
// TPOT is 20 % lower and throughput 25 % higher than points, then recent
// lines at points, each with 1 % of alternating noise.
func writeNightlyHistory(t *testing.T, baselines, gpu string, points map[string]map[string]float64, old, recent int) {
	t.Helper()
	var entries []baseline.HistoryEntry
	for i := range old + recent {
		scale := map[string]float64{"median_tpot_ms": 1, "output_throughput": 1, "median_ttft_ms": 1}
		if i < old {
			scale["median_tpot_ms"], scale["output_throughput"] = 0.8, 1.25
		}
		noise := 1 + 0.01*float64(i%3-1)
		e := baseline.HistoryEntry{
			Date: fmt.Sprintf("2026-10-%02dT03:00:00Z", i+1), GitSHA: nightSHA(i), GPUModel: gpu,
			Points: map[string]map[string]float64{},
		}
		for name, stats := range points {
			e.Points[name] = map[string]float64{}
			for m, s := range scale {
				e.Points[name][m] = stats[m] * s * noise
			}
		}
		entries = append(entries, e)
	}
	baselinetest.WriteHistory(t, baselines, "nightly", entries)
}

// nightSHA is the commit of line i of writeNightlyHistory.
func nightSHA(i int) string { return fmt.Sprintf("%07x%033x", 0xbee0000+i, i) }

// nightlyAction runs the action in compare mode on a schedule with
// update-baselines, as the nightly workflow does.
func nightlyAction(t *testing.T, cfg, night, baselines string, extra map[string]string) (code int, stdout, output, summary string) {
	t.Helper()
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "schedule", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile, "RUNNER_TEMP": dir,
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme-ml/llm-serving",
		"INPUT_CONFIG": cfg, "INPUT_MODE": "compare", "INPUT_RESULTS": night,
		"INPUT_BASELINES": baselines, "INPUT_UPDATE-BASELINES": "true",
	}
	for k, v := range extra {
		vars[k] = v
	}
	code, stdout, _ = cli(t, vars, "action")
	out, _ := os.ReadFile(outFile)
	sum, _ := os.ReadFile(sumFile)
	return code, stdout, string(out), string(sum)
}

func TestActionNightlyTrend(t *testing.T) {
	cfg, night, gpu, points := nightlyFixture(t)

	// 20 nights at the old speed and 2 at the new one; tonight's run is the
	// third at the new speed, so it reveals the change.
	baselines := filepath.Join(t.TempDir(), "baselines")
	writeNightlyHistory(t, baselines, gpu, points, 20, 2)
	code, stdout, output, summary := nightlyAction(t, cfg, night, baselines, map[string]string{"INPUT_FAIL-ON-CHANGE-POINT": "true"})
	if code != ExitRegression {
		t.Errorf("exit %d, want 1 (a new change point for the worse)\n%s", code, stdout)
	}
	first := nightSHA(20)
	for _, want := range []string{"## Trend: ", "```mermaid", "https://github.com/acme-ml/llm-serving/commit/" + first} {
		if !strings.Contains(summary, want) {
			t.Errorf("job summary lacks %q:\n%s", want, summary)
		}
	}
	if !strings.Contains(output, "change-points<<_GitHubActionsFileCommandDelimeter_\n2\n") {
		t.Errorf("outputs lack change-points 2:\n%s", output)
	}
	if !strings.Contains(stdout, "::error::") || !strings.Contains(stdout, "change point") || !strings.Contains(stdout, first[:7]) {
		t.Errorf("no annotation naming the first slow run %s:\n%s", first[:7], stdout)
	}
	hist, err := baseline.ReadHistory(filepath.Join(baselines, "nightly", baseline.HistoryFile))
	if err != nil || len(hist) != 23 {
		t.Fatalf("history: %d lines, %v; want tonight's appended", len(hist), err)
	}
	for name, stats := range hist[22].Points {
		if len(stats) != 3 {
			t.Errorf("tonight's line keeps %d statistics of %s, want the 3 gated ones", len(stats), name)
		}
	}

	// Without fail-on-change-point the same night passes, and says so.
	writeNightlyHistory(t, baselines, gpu, points, 20, 2)
	if code, stdout, _, _ := nightlyAction(t, cfg, night, baselines, nil); code != ExitOK {
		t.Errorf("without fail-on-change-point: exit %d\n%s", code, stdout)
	}

	// A quiet history: no change point, output 0.
	writeNightlyHistory(t, baselines, gpu, points, 0, 22)
	code, stdout, output, summary = nightlyAction(t, cfg, night, baselines, map[string]string{"INPUT_FAIL-ON-CHANGE-POINT": "true"})
	if code != ExitOK || !strings.Contains(summary, "## Trend: no change point") || !strings.Contains(output, "change-points<<_GitHubActionsFileCommandDelimeter_\n0\n") {
		t.Errorf("quiet history: exit %d\n%s\noutput:\n%s\nsummary:\n%s", code, stdout, output, summary)
	}

	// A pull request is no nightly run: no trend.
	writeNightlyHistory(t, baselines, gpu, points, 20, 2)
	_, _, output, summary = nightlyAction(t, cfg, night, baselines, map[string]string{"GITHUB_EVENT_NAME": "push"})
	if strings.Contains(summary, "## Trend") || strings.Contains(output, "change-points") {
		t.Errorf("push event ran the trend:\n%s\n%s", output, summary)
	}
}
