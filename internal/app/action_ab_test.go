package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
)

func TestActionModeAB(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a paired comparison")
	}
	bin := buildBinary(t)
	api := githubtest.New(t)
	dir := t.TempDir()
	config := actionConfig(t, dir, runTestPort(t), "--sim-slowdown", "2")
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("    ab:\n      rounds: 3\n      baseline:\n        extra_args: [\"--sim-speedup\", \"20\", \"--sim-load-time\", \"0.1\"]\n")
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	event, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_opened.json"))
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_REPOSITORY": "acme-ml/llm-serving", "GITHUB_API_URL": api.URL,
		"INPUT_CONFIG": config, "INPUT_GITHUB-TOKEN": "ghs_token", "INPUT_MODE": "ab",
	}
	r := runAction(t, bin, vars)
	if r.code != ExitRegression || !strings.Contains(r.output, "regression") {
		t.Fatalf("exit %d, want 1 with verdict regression\noutput:\n%s\nstderr:\n%s", r.code, r.output, r.stderr)
	}
	if !strings.Contains(r.summary, "(paired A/B, ") || !strings.Contains(r.summary, "median TPOT") {
		t.Errorf("job summary is not a paired A/B report naming TPOT:\n%s", r.summary)
	}
	if !strings.Contains(r.output, filepath.Join(dir, "results", "ab")) {
		t.Errorf("results-dir output is not the comparison's directory:\n%s", r.output)
	}
	comments := api.Comments("acme-ml", "llm-serving", 42)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "paired A/B") {
		t.Errorf("PR comment: %d comments, want 1 paired A/B report", len(comments))
	}

	vars["INPUT_UPDATE-BASELINES"] = "true"
	if bad := runAction(t, bin, vars); bad.code != ExitInvalid || !strings.Contains(bad.stdout+bad.stderr, "not used with mode: ab") {
		t.Errorf("update-baselines with mode ab: exit %d\n%s%s", bad.code, bad.stdout, bad.stderr)
	}
}
