package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
)

// TestTrimmedCommentFullSummary: when the comment must be trimmed, the job
// summary and report.md hold every point's row, report.json every point,
// the outputs name both files, and the comment links to the run and names
// them.
func TestTrimmedCommentFullSummary(t *testing.T) {
	r := gate.Compare(gatetest.Sweep200(true), gate.Options{Seed: 1, Resamples: 100})
	dir, results := t.TempDir(), t.TempDir()
	summaryFile, outputFile := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	vars := map[string]string{
		"GITHUB_STEP_SUMMARY": summaryFile, "GITHUB_OUTPUT": outputFile, "GITHUB_EVENT_NAME": "push",
		"GITHUB_REPOSITORY": "octo/llm", "GITHUB_RUN_ID": "99", "GITHUB_SERVER_URL": "https://github.example.com",
	}
	gh := github.Env{Getenv: func(k string) string { return vars[k] }, Stdout: io.Discard}
	x := github.NewActions(gh)
	if _, err := publishReports(context.Background(), gh, x, []*gate.Report{r}, "", github.PublishOptions{ResultsDir: results, Verdict: "regression"}); err != nil {
		t.Fatal(err)
	}
	summary := read(t, summaryFile)
	full := read(t, filepath.Join(results, reportFile))
	if !strings.Contains(summary, full) {
		t.Errorf("the job summary is not the full report.md")
	}
	// Every point and metric has its row in the details, under its
	// server configuration's heading.
	details := summary[strings.Index(summary, "<details>"):]
	for _, g := range r.Groups {
		heading := fmt.Sprintf("**llama-70b-long-run-name TP%d · P60 O128**", g.Server.TP)
		start := strings.Index(details, heading)
		if start < 0 {
			t.Fatalf("the job summary's details lack %s", heading)
		}
		section := details[start+len(heading):]
		if end := strings.Index(section, "\n**"); end >= 0 {
			section = section[:end]
		}
		for _, row := range g.Rows {
			for _, m := range []string{"median TTFT", "median TPOT", "output throughput"} {
				re := regexp.MustCompile(fmt.Sprintf(`(?m)^\| CTX%d C%d +\| %s +\|`, row.Point.ContextSize, row.Point.Concurrency, m))
				if !re.MatchString(section) {
					t.Fatalf("the job summary lacks the row of TP%d CTX%d C%d %s", g.Server.TP, row.Point.ContextSize, row.Point.Concurrency, m)
				}
			}
		}
	}
	var js []struct {
		Points []json.RawMessage `json:"points"`
	}
	if err := json.Unmarshal([]byte(read(t, filepath.Join(results, reportJSONFile))), &js); err != nil || len(js) != 1 || len(js[0].Points) != 200 {
		t.Errorf("report.json: %d reports, %v; want one with 200 points", len(js), err)
	}
	outputs := read(t, outputFile)
	for _, want := range []string{filepath.Join(results, reportFile), filepath.Join(results, reportJSONFile)} {
		if !strings.Contains(outputs, want) {
			t.Errorf("the outputs do not name %s:\n%s", want, outputs)
		}
	}
	comment := commentOf([]*gate.Report{r}, report.FullReport{RunURL: github.RunURL(gh.Getenv), Files: []string{"a/report.md"}})
	if len(comment) > report.MaxMarkdownBytes || !strings.Contains(comment, "[workflow run](https://github.example.com/octo/llm/actions/runs/99)") ||
		!strings.Contains(comment, "`a/report.md`") {
		t.Errorf("the trimmed comment (%d bytes) does not link to the full report:\n%s", len(comment), comment[max(0, len(comment)-500):])
	}
	if len(summary) <= len(comment) {
		t.Errorf("the job summary (%d bytes) is no larger than the trimmed comment (%d)", len(summary), len(comment))
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
