package github

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
)

// testToken is the token the tests pass; it must never be printed.
const testToken = "ghs_TESTtoken0123456789abcdefSECRET"

// harness is one simulated action step: its environment, stdout and files.
type harness struct {
	env     map[string]string
	stdout  bytes.Buffer
	sleeps  []time.Duration
	mu      sync.Mutex
	fake    *githubtest.Server
	output  string
	summary string
}

// newHarness returns a step triggered by event with the payload in
// testdata/github/<payload> (none when payload is empty), talking to a fake
// API that requires testToken.
func newHarness(t *testing.T, event, payload string) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{fake: githubtest.New(t), output: filepath.Join(dir, "output"), summary: filepath.Join(dir, "summary")}
	h.fake.RequireToken(testToken)
	h.env = map[string]string{
		"GITHUB_EVENT_NAME":   event,
		"GITHUB_REPOSITORY":   "acme-ml/llm-serving",
		"GITHUB_API_URL":      h.fake.URL,
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_RUN_ID":       "7001",
		"GITHUB_SHA":          "0123456789abcdef0123456789abcdef01234567",
		"GITHUB_OUTPUT":       h.output,
		"GITHUB_STEP_SUMMARY": h.summary,
	}
	if payload != "" {
		h.env["GITHUB_EVENT_PATH"] = filepath.Join("..", "..", "testdata", "github", payload)
	}
	return h
}

// Env returns the injected side channels.
func (h *harness) Env() Env {
	return Env{
		Getenv:     func(k string) string { return h.env[k] },
		Stdout:     &h.stdout,
		HTTPClient: h.fake.Client(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.sleeps = append(h.sleeps, d)
			return ctx.Err()
		},
	}
}

// file returns a file's content, empty when it does not exist.
func (h *harness) file(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// checkNoToken fails when the token shows anywhere but in the ::add-mask::
// command, which the runner needs in order to hide it.
func (h *harness) checkNoToken(t *testing.T, extra ...string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(h.stdout.String(), "\n") {
		if l != "::add-mask::"+testToken {
			lines = append(lines, l)
		}
	}
	texts := map[string]string{
		"stdout":  strings.Join(lines, "\n"),
		"output":  h.file(t, h.output),
		"summary": h.file(t, h.summary),
	}
	for i, e := range extra {
		texts["extra"+string(rune('0'+i))] = e
	}
	for _, c := range h.fake.Comments("acme-ml", "llm-serving", 42) {
		texts["comment"] += c.Body
	}
	for name, s := range texts {
		if strings.Contains(s, testToken) {
			t.Errorf("the token appears in %s", name)
		}
	}
}

// outputs parses the GITHUB_OUTPUT file written by go-githubactions.
func (h *harness) outputs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(h.file(t, h.output), "\n")
	for i := 0; i+2 < len(lines); i += 3 {
		name, _, _ := strings.Cut(lines[i], "<<")
		out[name] = lines[i+1]
	}
	return out
}

func mkdir(parent, name string) error { return os.Mkdir(filepath.Join(parent, name), 0o755) }
