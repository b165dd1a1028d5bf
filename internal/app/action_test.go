package app

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// buildBinary builds cmd/vllm-bench once for the action tests, as action.yml
// does on a runner.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vllm-bench")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/vllm-bench")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// yamlFlow writes args as the items of a YAML flow sequence, each quoted.
func yamlFlow(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(quoted, ", ")
}

// actionConfig writes a tiny simulator config; extra holds additional
// simulator flags (an injected slowdown). The simulator runs in real time:
// sped up, its latencies shrink to a few milliseconds of wall time, where a
// loaded machine's scheduling (and the race detector) move a median TTFT by
// half from one run to the next, and an A/A comparison flags that as a
// change. At real speed the same jitter is a few percent of a 100 ms TTFT.
// Warmup requests keep the server's first connections out of the timing.
func actionConfig(t *testing.T, dir string, port int, extra ...string) string {
	t.Helper()
	args := append([]string{"--sim-load-time", "0.1"}, extra...)
	cfg := fmt.Sprintf(`runs:
  - name: action-e2e
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: %d
      max_model_len: 2048
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: [%s]
      startup_timeout: 1m
    bench:
      output_dir: %s
      context_size: [256]
      concurrency: [8]
      num_prompts: [40]
      output_len: [32]
      warmup_prompts: 8
`, port, yamlFlow(args), filepath.Join(dir, "results"))
	path := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// actionRun is one invocation of `vllm-bench action` with the environment
// a GitHub runner sets.
type actionRun struct {
	code            int
	stdout, stderr  string
	output, summary string
}

func runAction(t *testing.T, bin string, vars map[string]string) actionRun {
	t.Helper()
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "action")
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+sumFile, "GITHUB_ACTIONS=true", "RUNNER_TEMP="+dir)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(outFile)
	sum, _ := os.ReadFile(sumFile)
	return actionRun{code, stdout.String(), stderr.String(), string(out), string(sum)}
}

func TestActionEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs several sweeps")
	}
	bin := buildBinary(t)
	api := githubtest.New(t)
	const token = "ghs_secrettoken123"
	api.RequireToken(token)
	dir := t.TempDir()
	port := runTestPort(t)
	config := actionConfig(t, dir, port)
	baselines := filepath.Join(dir, "baselines")
	event, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_opened.json"))
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_REPOSITORY": "acme-ml/llm-serving", "GITHUB_API_URL": api.URL,
		"INPUT_CONFIG": config, "INPUT_BASELINES": baselines, "INPUT_GITHUB-TOKEN": token,
		"INPUT_COMMENT": "always", "INPUT_FAIL-ON-REGRESSION": "true", "INPUT_MODE": "all",
	}
	marker := "<!-- vllm-bench-action:" + config + " -->"

	// First run: no baseline yet, every point is new; one comment is created.
	first := runAction(t, bin, vars)
	if first.code != 0 {
		t.Fatalf("first run exit %d\nstdout:\n%s\nstderr:\n%s", first.code, first.stdout, first.stderr)
	}
	comments := api.Comments("acme-ml", "llm-serving", 42)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, marker) {
		t.Fatalf("after the first run: %d comments, want 1 with the marker %q", len(comments), marker)
	}
	if !strings.Contains(first.output, "verdict") || !strings.Contains(first.output, "pass") {
		t.Errorf("GITHUB_OUTPUT lacks verdict=pass:\n%s", first.output)
	}
	if !strings.Contains(first.summary, "action-e2e") || !strings.Contains(first.summary, "action-e2e TP1 · CTX256 P40 O32") {
		t.Errorf("job summary lacks the table:\n%s", first.summary)
	}
	firstBody := comments[0].Body

	// Accept the results, then gate those same results again (mode
	// compare): nothing changed, and the same comment is edited. Measuring
	// again instead would make this step a single A/A sample of a 2-second
	// sweep on a shared machine, whose verdict is a matter of chance (what
	// the gate makes of A/A pairs is measured by scripts/gate-quality.sh);
	// the first run and the slowdown below measure.
	if code, _, stderr := cli(t, nil, "baseline", "update", "--results", filepath.Join(dir, "results"), "--baselines", baselines); code != 0 {
		t.Fatalf("baseline update: exit %d: %s", code, stderr)
	}
	compareVars := copyVars(vars)
	compareVars["INPUT_MODE"], compareVars["INPUT_RESULTS"] = "compare", filepath.Join(dir, "results")
	second := runAction(t, bin, compareVars)
	if second.code != 0 {
		t.Fatalf("second run exit %d\n%s\n%s", second.code, second.stdout, second.stderr)
	}
	comments = api.Comments("acme-ml", "llm-serving", 42)
	if len(comments) != 1 || api.Count(githubtest.OpCreate) != 1 || api.Count(githubtest.OpEdit) != 1 {
		t.Fatalf("after the second run: %d comments, %d creates, %d edits; want 1, 1, 1", len(comments), api.Count(githubtest.OpCreate), api.Count(githubtest.OpEdit))
	}
	if comments[0].Body == firstBody || !strings.Contains(comments[0].Body, "no regression found") || !strings.Contains(comments[0].Body, "Rests on") {
		t.Errorf("the comment was not updated with the comparison:\n%s", comments[0].Body)
	}
	if !strings.Contains(second.summary, "action-e2e TP1 · CTX256 P40 O32") {
		t.Errorf("second job summary lacks the table:\n%s", second.summary)
	}

	// An injected slowdown (twice the step time) regresses: exit 1 and
	// ::error annotations.
	slowVars := copyVars(vars)
	slowVars["INPUT_CONFIG"] = actionConfig(t, t.TempDir(), port, "--sim-slowdown", "2")
	slow := runAction(t, bin, slowVars)
	if slow.code != 1 || !strings.Contains(slow.stdout, "::error") || !strings.Contains(slow.output, "regression") {
		t.Errorf("slowdown: exit %d, want 1 with ::error lines and verdict regression\nstdout:\n%s\noutput:\n%s", slow.code, slow.stdout, slow.output)
	}

	for name, r := range map[string]actionRun{"first": first, "second": second, "slow": slow} {
		for _, text := range []string{r.stderr, r.output, r.summary, strings.ReplaceAll(r.stdout, "::add-mask::"+token, "")} {
			if strings.Contains(text, token) {
				t.Errorf("%s run printed the token", name)
			}
		}
	}
}

func TestActionForbiddenAndSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs sweeps")
	}
	bin := buildBinary(t)
	api := githubtest.New(t)
	dir := t.TempDir()
	config := actionConfig(t, dir, runTestPort(t))
	event, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_fork.json"))
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_REPOSITORY": "acme-ml/llm-serving", "GITHUB_API_URL": api.URL,
		"INPUT_CONFIG": config, "INPUT_BASELINES": filepath.Join(dir, "baselines"), "INPUT_GITHUB-TOKEN": "ghs_readonly",
	}
	api.FailNext(githubtest.OpCreate, githubtest.Forbidden())
	forbidden := runAction(t, bin, vars)
	if forbidden.code != 0 {
		t.Fatalf("a 403 on the comment changed the exit code to %d (the gate passed)\n%s", forbidden.code, forbidden.stderr)
	}
	if !strings.Contains(forbidden.stdout, "::warning") || !strings.Contains(forbidden.stdout, "pull-requests: write") {
		t.Errorf("no warning naming the missing permission:\n%s", forbidden.stdout)
	}
	if !strings.Contains(forbidden.summary, "action-e2e TP1 · CTX256 P40 O32") {
		t.Errorf("job summary not written after the 403:\n%s", forbidden.summary)
	}

	schedule, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "schedule.json"))
	vars["GITHUB_EVENT_NAME"], vars["GITHUB_EVENT_PATH"] = "schedule", schedule
	calls := len(api.Calls())
	nightly := runAction(t, bin, vars)
	if nightly.code != 0 || len(api.Calls()) != calls {
		t.Errorf("schedule: exit %d and %d API calls, want 0 and none", nightly.code, len(api.Calls())-calls)
	}
	if !strings.Contains(nightly.summary, "action-e2e TP1 · CTX256 P40 O32") {
		t.Errorf("schedule: job summary lacks the table")
	}
}

func TestActionBadInputs(t *testing.T) {
	code, stdout, _ := cli(t, map[string]string{"INPUT_CONFIG": "x.yaml", "INPUT_COMMENT": "sometimes", "INPUT_MODE": "all"}, "action")
	if code != ExitInvalid || !strings.Contains(stdout, `::error`) || !strings.Contains(stdout, `input "comment"`) {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}

func copyVars(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestActionCompareMissingShard(t *testing.T) {
	dir := t.TempDir()
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "sharded", port: runTestPort(t), out: filepath.Join(dir, "out"), pairs: "[{tp: 1, dp: 1}, {tp: 2, dp: 1}]"})
	if code, _, stderr := cli(t, nil, "run", "-c", cfg, "--shard", "1/2", "--out", filepath.Join(dir, "shard1")); code != ExitOK {
		t.Fatalf("shard 1/2: exit %d\n%s", code, stderr)
	}
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "schedule", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile, "RUNNER_TEMP": dir,
		"INPUT_CONFIG": cfg, "INPUT_MODE": "compare", "INPUT_RESULTS": filepath.Join(dir, "shard1"),
		"INPUT_BASELINES": filepath.Join(dir, "baselines"), "INPUT_UPDATE-BASELINES": "true",
	}
	code, stdout, _ := cli(t, vars, "action")
	if code != ExitInfra || !strings.Contains(stdout, "::error::not measured: shard 2/2") {
		t.Errorf("exit %d, want %d with an error for the missing shard:\n%s", code, ExitInfra, stdout)
	}
	out, _ := os.ReadFile(outFile)
	summary, _ := os.ReadFile(sumFile)
	if !strings.Contains(string(out), "failed") || !strings.Contains(string(summary), "were not measured") {
		t.Errorf("verdict or summary does not say the gate failed:\n%s\n%s", out, summary)
	}
	if _, err := os.Stat(filepath.Join(dir, "baselines")); err == nil {
		t.Error("baselines were updated from an incomplete set of shards")
	}
}

func TestActionRunModeEmptyShard(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "single", port: runTestPort(t), out: out})
	outFile := filepath.Join(dir, "output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// One server, two shards: shard 2/2 runs nothing but still hands its
	// (empty) results directory to the compare job.
	vars := map[string]string{"GITHUB_OUTPUT": outFile, "INPUT_CONFIG": cfg, "INPUT_MODE": "run", "INPUT_SHARD": "2/2"}
	code, stdout, stderr := cli(t, vars, "action")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(outFile)
	if !strings.Contains(string(got), out) {
		t.Errorf("results-dir output missing:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Error(err)
	}
}

// A sweep cut short fails the action: the points it did not run are
// missing, named in the job summary and as annotations, and the verdict is
// failed with exit 3.
func TestActionCompareMissingPoint(t *testing.T) {
	dir := t.TempDir()
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "cut", port: runTestPort(t), out: filepath.Join(dir, "out"), conc: "[2, 4]"})
	shard := filepath.Join(dir, "shard1")
	if code, _, stderr := cli(t, nil, "run", "-c", cfg, "--out", shard); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	// What Ctrl-C before the second point leaves: its file absent and
	// summary.json saying not-run.
	sum, err := results.ReadSummary(shard)
	if err != nil || len(sum.Points) != 2 {
		t.Fatalf("summary: %v %+v", err, sum)
	}
	cutFile := sum.Points[1].File
	sum.Points[1] = results.PointStatus{File: cutFile, Status: "not-run"}
	if err := results.WriteSummary(shard, sum); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(shard, cutFile)); err != nil {
		t.Fatal(err)
	}
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{
		"GITHUB_EVENT_NAME": "schedule", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile, "RUNNER_TEMP": dir,
		"INPUT_CONFIG": cfg, "INPUT_MODE": "compare", "INPUT_RESULTS": shard,
		"INPUT_BASELINES": filepath.Join(dir, "baselines"),
	}
	code, stdout, _ := cli(t, vars, "action")
	if code != ExitInfra || !strings.Contains(stdout, "point missing: not run") {
		t.Errorf("exit %d, want %d with an annotation for the missing point:\n%s", code, ExitInfra, stdout)
	}
	out, _ := os.ReadFile(outFile)
	summary, _ := os.ReadFile(sumFile)
	if !strings.Contains(string(out), "failed") || !strings.Contains(string(summary), "1 point missing: cut TP1 · C4") {
		t.Errorf("verdict or summary does not name the missing point:\n%s\n%s", out, summary)
	}
}
