package app

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
)

// baselineFiles is md5Tree of dir without the history files, which every
// recorded night changes.
func baselineFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := md5Tree(t, dir)
	for path := range out {
		if filepath.Base(path) == baseline.HistoryFile {
			delete(out, path)
		}
	}
	return out
}

// TestActionRegressionLifecycle runs the nights of a lasting regression (at
// the simulator's real speed, where a loaded machine's client still times
// its tokens, and a 2x slowdown halves the throughput): it
// is detected and recorded without promotion, accepted on a pull request
// by its label, and promoted on purpose with a reason.
func TestActionRegressionLifecycle(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	baselines := filepath.Join(dir, "baselines")
	for _, sub := range []string{"fast", "slow"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fast := writeRunConfig(t, filepath.Join(dir, "fast"), "nightly.yaml",
		simRun{name: "nightly", port: port, out: filepath.Join(dir, "fast", "out"), conc: "[4]", nump: "[32]", olen: "[16]", speed: "1"})
	slow := writeRunConfig(t, filepath.Join(dir, "slow"), "nightly.yaml",
		simRun{name: "nightly", port: port, out: filepath.Join(dir, "slow", "out"), conc: "[4]", nump: "[32]", olen: "[16]", speed: "1", extra: []string{"--sim-slowdown", "2"}})
	for _, cfg := range []string{fast, slow} {
		if code, _, stderr := cli(t, nil, "run", "-c", cfg); code != ExitOK {
			t.Fatalf("run %s: exit %d\n%s", cfg, code, stderr)
		}
	}
	if code, _, stderr := cli(t, nil, "baseline", "update", "--results", filepath.Join(dir, "fast", "out"), "--baselines", baselines); code != ExitOK {
		t.Fatalf("baseline update: exit %d: %s", code, stderr)
	}
	night := filepath.Join(dir, "slow", "out")
	history := func() []baseline.HistoryEntry {
		t.Helper()
		h, err := baseline.ReadHistory(filepath.Join(baselines, "nightly", baseline.HistoryFile))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := baselineFiles(t, baselines)

	// A night twice as slow fails, and is on record without becoming the
	// reference.
	code, stdout, output, _ := nightlyAction(t, slow, night, baselines, nil)
	if code != ExitRegression || !strings.Contains(output, "\nregression\n") {
		t.Fatalf("slow night: exit %d, want 1 with verdict regression\n%s\n%s", code, stdout, output)
	}
	h := history()
	if len(h) != 2 || h[1].IsPromoted() || h[1].Verdict != "regression" || len(h[1].Points) != 1 {
		t.Fatalf("after the slow night: %d history lines, last %+v; want 2, the last a regression not promoted", len(h), h[len(h)-1])
	}
	if after := baselineFiles(t, baselines); !maps.Equal(before, after) {
		t.Error("the slow night changed the baseline files")
	}

	// A pull request labelled vllm-bench-accept: the regressions are
	// accepted, the check passes and says by which label.
	labelled, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_labeled.json"))
	code, stdout, output, summary := nightlyAction(t, slow, night, baselines, map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": labelled, "INPUT_UPDATE-BASELINES": "false",
	})
	if code != ExitOK || !strings.Contains(output, "\naccepted\n") {
		t.Errorf("labelled PR: exit %d, want 0 with verdict accepted\n%s\n%s", code, stdout, output)
	}
	if !strings.Contains(summary, "Accepted by label vllm-bench-accept") || !strings.Contains(summary, "median TPOT") {
		t.Errorf("labelled PR: the summary does not say what the label accepted:\n%s", summary)
	}
	if strings.Contains(stdout, "::error::") {
		t.Errorf("labelled PR: accepted regressions still annotated as errors:\n%s", stdout)
	}
	if len(history()) != 2 {
		t.Error("a pull request check wrote history")
	}

	// Accepted on purpose: promoted, with the reason and the actor.
	code, stdout, output, summary = nightlyAction(t, slow, night, baselines, map[string]string{
		"INPUT_UPDATE-BASELINES": "accept", "INPUT_ACCEPT-REASON": "new scheduler trades TPOT for throughput", "GITHUB_ACTOR": "octocat",
	})
	if code != ExitOK || !strings.Contains(output, "\naccepted\n") {
		t.Errorf("accept: exit %d, want 0 with verdict accepted\n%s\n%s", code, stdout, output)
	}
	if !strings.Contains(summary, "Baselines accepted by octocat") {
		t.Errorf("accept: the summary does not say what was accepted:\n%s", summary)
	}
	h = history()
	last := h[len(h)-1]
	if len(h) != 3 || !last.IsPromoted() || last.AcceptedBy != "octocat" || last.AcceptReason != "new scheduler trades TPOT for throughput" {
		t.Errorf("after accept: %d lines, last %+v", len(h), last)
	}
	if after := baselineFiles(t, baselines); maps.Equal(before, after) {
		t.Error("accept did not promote the results")
	}
}
