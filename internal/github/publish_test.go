package github

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
)

const report = "## vllm-bench: 1 regression\n\n| point | TTFT |\n|---|---|\n| llama_TP1 | +12% |\n"

func publishOpts() PublishOptions {
	return PublishOptions{
		Markdown: report, Verdict: "regression", Regressions: 1, GateFailed: true,
		ErrorLines: []string{"llama_TP1_DP1_CTX1024_C64: median_ttft_ms +12.0% (p=0.001)"},
		ConfigPath: "examples/quickstart.yaml", Token: testToken,
		ResultsDir: "benchmark_results", ReportPath: "benchmark_results/report.md",
	}
}

func TestPublishPullRequest(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	res, err := Publish(context.Background(), h.Env(), publishOpts())
	if err != nil {
		t.Fatal(err)
	}
	comments := h.fake.Comments("acme-ml", "llm-serving", 42)
	if len(comments) != 1 || !res.Comment.Created || res.Comment.URL != comments[0].HTMLURL {
		t.Fatalf("comments %+v, result %+v", comments, res)
	}
	body := comments[0].Body
	if !strings.HasPrefix(body, "<!-- vllm-bench-action:examples/quickstart.yaml -->\n") || !strings.Contains(body, report) ||
		!strings.Contains(body, "commit a3c9e1f") || !strings.Contains(body, "/actions/runs/7001") {
		t.Errorf("comment body:\n%s", body)
	}
	if s := h.file(t, h.summary); !strings.Contains(s, report) {
		t.Errorf("summary = %q", s)
	}
	out := h.outputs(t)
	want := map[string]string{"verdict": "regression", "regressions": "1", "results-dir": "benchmark_results",
		"report-path": "benchmark_results/report.md", "comment-url": res.Comment.URL}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("output %s = %q, want %q", k, out[k], v)
		}
	}
	stdout := h.stdout.String()
	if !strings.Contains(stdout, "::error::llama_TP1_DP1_CTX1024_C64: median_ttft_ms +12.0%25 (p=0.001)\n") {
		t.Errorf("no ::error:: annotation in\n%s", stdout)
	}
	if !strings.Contains(stdout, "::group::vllm-bench: PR comment\n") || !strings.Contains(stdout, "::endgroup::") {
		t.Errorf("no log group in\n%s", stdout)
	}

	// A second run edits the same comment.
	opts := publishOpts()
	opts.Markdown = "## vllm-bench: no regression\n"
	res2, err := Publish(context.Background(), h.Env(), opts)
	if err != nil || res2.Comment.Created || res2.Comment.ID != res.Comment.ID {
		t.Fatalf("second Publish = %+v, %v", res2, err)
	}
	if c := h.fake.Comments("acme-ml", "llm-serving", 42); len(c) != 1 || !strings.Contains(c[0].Body, "no regression") {
		t.Errorf("after the second run: %+v", c)
	}
	h.checkNoToken(t)
}

// TestPublishFullSummaryTrimmedComment: the job summary gets the full
// report and the comment the trimmed one; both end with the GPU time, and
// the JSON report's path is an output.
func TestPublishFullSummaryTrimmedComment(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	opts := publishOpts()
	opts.Summary = report + "\n<details><summary>every point</summary>\n\n| llama_TP1 | all metrics |\n</details>\n"
	opts.Markdown = report + "\n_Trimmed to fit GitHub's comment size limit_\n"
	opts.Cost = []string{"GPU time 11m20s: 2 starts 2m10s (1 warm), measuring 9m10s"}
	opts.ReportJSON = "benchmark_results/report.json"
	if _, err := Publish(context.Background(), h.Env(), opts); err != nil {
		t.Fatal(err)
	}
	summary := h.file(t, h.summary)
	if !strings.Contains(summary, opts.Summary) || strings.Contains(summary, "Trimmed") {
		t.Errorf("the summary is not the full report:\n%s", summary)
	}
	body := h.fake.Comments("acme-ml", "llm-serving", 42)[0].Body
	if !strings.Contains(body, opts.Markdown) || strings.Contains(body, "every point") {
		t.Errorf("the comment is not the trimmed report:\n%s", body)
	}
	for name, text := range map[string]string{"summary": summary, "comment": body} {
		if !strings.Contains(text, "/actions/runs/7001)<br>GPU time 11m20s: 2 starts") {
			t.Errorf("the %s's footer lacks the GPU time:\n%s", name, text)
		}
	}
	if got := h.outputs(t)["report-json"]; got != opts.ReportJSON {
		t.Errorf("output report-json = %q, want %q", got, opts.ReportJSON)
	}
}

func TestPublishForkWarnsAndKeepsSummary(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_fork.json")
	h.fake.FailNext(githubtest.OpCreate, githubtest.Forbidden())
	res, err := Publish(context.Background(), h.Env(), publishOpts())
	if err != nil {
		t.Fatalf("Publish = %v; a permission error must only warn", err)
	}
	if len(res.Warnings) != 1 || res.Comment.ID != 0 || res.Skipped == "" {
		t.Errorf("result %+v", res)
	}
	stdout := h.stdout.String()
	if !strings.Contains(stdout, "::warning::no PR comment: cannot create comment on acme-ml/llm-serving#57") ||
		!strings.Contains(stdout, "pull-requests: write") {
		t.Errorf("no warning in\n%s", stdout)
	}
	if !strings.Contains(h.file(t, h.summary), report) {
		t.Error("summary not written")
	}
	if out := h.outputs(t); out["verdict"] != "regression" || out["comment-url"] != "" {
		t.Errorf("outputs = %v", out)
	}
	h.checkNoToken(t, res.Warnings...)
}

func TestPublishWithoutPR(t *testing.T) {
	for _, ev := range []string{"schedule", "push", "workflow_dispatch"} {
		h := newHarness(t, ev, ev+".json")
		res, err := Publish(context.Background(), h.Env(), publishOpts())
		if err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		if n := len(h.fake.Calls()); n != 0 {
			t.Errorf("%s: %d API calls, want none", ev, n)
		}
		if !strings.Contains(h.file(t, h.summary), report) || h.outputs(t)["regressions"] != "1" {
			t.Errorf("%s: summary or outputs missing", ev)
		}
		if res.Skipped == "" || len(res.Warnings) != 0 {
			t.Errorf("%s: result %+v", ev, res)
		}
		h.checkNoToken(t)
	}
}

func TestPublishPolicies(t *testing.T) {
	tests := []struct {
		policy  CommentPolicy
		failed  bool
		seeded  bool
		comment bool
	}{
		{CommentNever, true, false, false},
		{CommentOnRegression, false, false, false},
		{CommentOnRegression, true, false, true},
		{CommentOnRegression, false, true, true}, // an old comment is kept up to date
		{CommentAlways, false, false, true},
	}
	for _, tt := range tests {
		h := newHarness(t, "pull_request", "pull_request_opened.json")
		if tt.seeded {
			h.fake.Seed("acme-ml", "llm-serving", 42, "github-actions[bot]", Marker("examples/quickstart.yaml")+"\nold")
		}
		opts := publishOpts()
		opts.Comment, opts.GateFailed = tt.policy, tt.failed
		res, err := Publish(context.Background(), h.Env(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Comment.ID != 0; got != tt.comment {
			t.Errorf("%+v: commented %v, want %v (%+v)", tt, got, tt.comment, res)
		}
		if n := len(h.fake.Comments("acme-ml", "llm-serving", 42)); n > 1 {
			t.Errorf("%+v: %d comments", tt, n)
		}
	}
}

func TestPublishAPIDown(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	for range DefaultAttempts {
		h.fake.FailNext(githubtest.OpList, githubtest.ServerError(http.StatusInternalServerError))
	}
	_, err := Publish(context.Background(), h.Env(), publishOpts())
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("Publish = %v, want the API failure", err)
	}
	if !strings.Contains(h.file(t, h.summary), report) || h.outputs(t)["verdict"] != "regression" {
		t.Error("summary or outputs lost when the API failed")
	}
	h.checkNoToken(t, err.Error())
}

func TestPublishNoTokenOrOutsideActions(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	delete(h.env, "GITHUB_OUTPUT")
	delete(h.env, "GITHUB_STEP_SUMMARY")
	opts := publishOpts()
	opts.Token = ""
	res, err := Publish(context.Background(), h.Env(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 3 || len(h.fake.Calls()) != 0 {
		t.Errorf("warnings %q, %d calls", res.Warnings, len(h.fake.Calls()))
	}
}

func TestPublishCapsHugeReport(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	opts := publishOpts()
	opts.Markdown = strings.Repeat("| llama_TP1_DP1_CTX1024_C64_P200_O128 | 41.2 ms | +1.9% |\n", 5000)
	if _, err := Publish(context.Background(), h.Env(), opts); err != nil {
		t.Fatal(err)
	}
	c := h.fake.Comments("acme-ml", "llm-serving", 42)
	if len(c) != 1 || !strings.HasPrefix(c[0].Body, Marker(opts.ConfigPath)) || len(c[0].Body) >= 65536 {
		t.Fatalf("capped comment missing or too long")
	}
	if !strings.Contains(h.file(t, h.summary), opts.Markdown) {
		t.Error("the summary must keep the whole report")
	}
}
