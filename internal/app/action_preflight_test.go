package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
)

// TestActionPreflight checks that what the action needs after the sweep is
// checked before it: each bad input exits 2 with an ::error naming it, and
// no server was started (the sweep's results directory was never made).
func TestActionPreflight(t *testing.T) {
	garbled := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(garbled, []byte(`{"pull_request": {"number": 7`), 0o644); err != nil {
		t.Fatal(err)
	}
	noPR := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(noPR, []byte(`{"action": "opened"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fileNotDir := filepath.Join(t.TempDir(), "baselines")
	if err := os.WriteFile(fileNotDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	badHistory := t.TempDir()
	writeFile(t, filepath.Join(badHistory, "preflight", "history.jsonl"), "{not json\n")
	badBaseline := t.TempDir()
	writeFile(t, filepath.Join(badBaseline, "preflight", "point.json"), "{")
	event, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_opened.json"))

	cases := []struct {
		name string
		vars map[string]string
		want string // in the ::error line
	}{
		{"pull_request without an event payload", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ""},
			`event "pull_request": GITHUB_EVENT_PATH is not set`},
		{"a garbled event payload", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": garbled},
			`event payload "` + garbled + `"`},
		{"a payload without the pull request", map[string]string{"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_EVENT_PATH": noPR},
			"has no pull_request object"},
		{"baselines that are a file", map[string]string{"INPUT_BASELINES": fileNotDir},
			`input "baselines": "` + fileNotDir + `" is a file`},
		{"a baseline history that cannot be read", map[string]string{"INPUT_BASELINES": badHistory},
			filepath.Join(badHistory, "preflight", "history.jsonl")},
		{"a stored baseline that cannot be read", map[string]string{"INPUT_BASELINES": badBaseline},
			filepath.Join(badBaseline, "preflight", "point.json")},
		{"a config that does not exist", map[string]string{"INPUT_CONFIG": filepath.Join(t.TempDir(), "missing.yaml")},
			"missing.yaml"},
		{"mode compare with results that match nothing", map[string]string{"INPUT_MODE": "compare", "INPUT_RESULTS": filepath.Join(t.TempDir(), "shard-*")},
			`input "results"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "preflight", port: runTestPort(t), out: out})
			vars := map[string]string{
				"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event, "GITHUB_REPOSITORY": "acme-ml/llm-serving",
				"GITHUB_OUTPUT": filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY": "",
				"INPUT_CONFIG": cfg, "INPUT_BASELINES": filepath.Join(dir, "baselines"), "INPUT_GITHUB-TOKEN": "ghs_x",
				"INPUT_MODE": "all", "INPUT_RESULTS": "",
			}
			for k, v := range c.vars {
				vars[k] = v
			}
			code, stdout, stderr := cli(t, vars, "action")
			if code != ExitInvalid {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitInvalid, stdout, stderr)
			}
			if !strings.Contains(stdout, "::error::") || !strings.Contains(stdout, c.want) {
				t.Errorf("no ::error naming %q:\n%s", c.want, stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the sweep started (its results directory %s exists: %v)", out, err)
			}
			data, _ := os.ReadFile(vars["GITHUB_OUTPUT"])
			if !strings.Contains(string(data), "error") {
				t.Errorf("verdict output not set to error: %q", data)
			}
		})
	}
}

// TestActionPreflightComment checks what preflight says about the PR
// comment: a missing token and a fork's read-only token are warnings, not
// failures, and a missing token is said once, before the sweep.
func TestActionPreflightComment(t *testing.T) {
	dir := t.TempDir()
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "preflight", port: 1, out: filepath.Join(dir, "out")})
	opened, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_opened.json"))
	fork, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_fork.json"))
	schedule, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "schedule.json"))
	cases := []struct {
		name, event, path, token string
		comment                  github.CommentPolicy
		warning                  string // "" for none
		after                    github.CommentPolicy
	}{
		{"token present", "pull_request", opened, "ghs_x", github.CommentAlways, "", github.CommentAlways},
		{"no token", "pull_request", opened, "", github.CommentAlways, "the github-token input is empty", github.CommentNever},
		{"no token, no comment wanted", "pull_request", opened, "", github.CommentNever, "", github.CommentNever},
		{"fork", "pull_request", fork, "ghs_readonly", github.CommentOnRegression, "comes from a fork", github.CommentOnRegression},
		{"no pull request", "schedule", schedule, "", github.CommentAlways, "", github.CommentAlways},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{"GITHUB_EVENT_NAME": c.event, "GITHUB_EVENT_PATH": c.path, "GITHUB_REPOSITORY": "acme-ml/llm-serving"}
			getenv := func(k string) string { return vars[k] }
			var stdout bytes.Buffer
			env := &Env{Getenv: getenv, Stdout: &stdout, Stderr: &stdout}
			x := github.NewActions(github.Env{Getenv: getenv, Stdout: &stdout})
			in := github.Inputs{Config: cfg, Baselines: filepath.Join(dir, "baselines"), Mode: github.ModeAll, GitHubToken: c.token, Comment: c.comment}
			if err := preflight(env, x, &in); err != nil {
				t.Fatalf("preflight: %v", err)
			}
			warnings := strings.Count(stdout.String(), "::warning::")
			switch {
			case c.warning == "" && warnings != 0:
				t.Errorf("unexpected warning:\n%s", stdout.String())
			case c.warning != "" && (warnings != 1 || !strings.Contains(stdout.String(), c.warning)):
				t.Errorf("want one warning naming %q:\n%s", c.warning, stdout.String())
			}
			if in.Comment != c.after {
				t.Errorf("comment policy after preflight = %q, want %q", in.Comment, c.after)
			}
		})
	}
}

func TestActionHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		code, stdout, _ := cli(t, nil, "action", arg)
		if code != ExitOK {
			t.Errorf("action %s: exit %d, want 0", arg, code)
		}
		for _, d := range github.InputDocs {
			if !strings.Contains(stdout, "  "+d.Name+" ") {
				t.Errorf("action %s does not list input %q:\n%s", arg, d.Name, stdout)
			}
		}
	}
	if code, _, _ := cli(t, nil, "action", "extra"); code != ExitInvalid {
		t.Errorf("action extra: exit %d, want %d", code, ExitInvalid)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
