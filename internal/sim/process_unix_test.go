//go:build unix

package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a child's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// child is the simulator running as a real process: this test binary
// re-executed with childEnv set, in its own process group.
type child struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error
	url  string
}

// startChild starts `sim ARGS --host 127.0.0.1 --port P`; the whole process
// group is killed when the test ends.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	port := freePort(t)
	args = append(args, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	c := &child{out: &lockedBuffer{}, done: make(chan struct{}), url: "http://127.0.0.1:" + strconv.Itoa(port)}
	c.cmd = exec.Command(os.Args[0], args...)
	c.cmd.Env = append(os.Environ(), childEnv+"=1")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		if t.Failed() {
			t.Logf("simulator output:\n%s", c.out.String())
		}
	})
	return c
}

// exitCode waits for the child to exit and returns its code.
func (c *child) exitCode(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		t.Fatalf("simulator still running after %v", timeout)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
	return 0
}

// waitFor polls until cond holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *child) healthy() bool {
	resp, err := http.Get(c.url + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

func (c *child) refused() bool {
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(c.url, "http://"), time.Second)
	if err == nil {
		conn.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// TestProcessServesLikeVLLM is the brief's must-show run, as a real process.
func TestProcessServesLikeVLLM(t *testing.T) {
	c := startChild(t, "meta-llama/Llama-2-7b-hf", "--sim-speedup", "10", "--enable-log-requests", "--trust-remote-code", "--swap-space", "4")
	waitFor(t, 30*time.Second, "/health 200", c.healthy)

	code, body := post(t, c.url+"/v1/completions", map[string]any{
		"model": "meta-llama/Llama-2-7b-hf", "prompt": ids(512, 3), "max_tokens": 64, "ignore_eos": true,
		"stream": true, "stream_options": map[string]any{"include_usage": true},
	})
	chunks, done := parseStream(t, body)
	if code != 200 || !done || len(chunks) != 65 {
		t.Fatalf("status %d, %d chunks, [DONE]=%v; want 64 content chunks, usage, [DONE]", code, len(chunks), done)
	}
	if u := chunks[64].Usage; u == nil || *u != (usage{PromptTokens: 512, CompletionTokens: 64, TotalTokens: 576}) {
		t.Fatalf("usage %+v", u)
	}

	var tk struct{ Tokens []int }
	_, b := post(t, c.url+"/tokenize", map[string]any{"prompt": "Simulated servers answer quickly."})
	_ = json.Unmarshal(b, &tk)
	var dt struct{ Prompt string }
	_, b = post(t, c.url+"/detokenize", map[string]any{"tokens": tk.Tokens})
	_ = json.Unmarshal(b, &dt)
	var tk2 struct{ Tokens []int }
	_, b = post(t, c.url+"/tokenize", map[string]any{"prompt": dt.Prompt})
	_ = json.Unmarshal(b, &tk2)
	if len(tk.Tokens) == 0 || !slices.Equal(tk.Tokens, tk2.Tokens) {
		t.Errorf("tokenize/detokenize round trip: %v then %v", tk.Tokens, tk2.Tokens)
	}
	resp, err := http.Get(c.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), "vllm:num_requests_running{") {
		t.Error("/metrics lacks vllm:num_requests_running")
	}

	_ = syscall.Kill(c.cmd.Process.Pid, syscall.SIGTERM)
	if code := c.exitCode(t, 20*time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	log := c.out.String()
	for _, want := range []string{
		"[gpu_model_runner.py] Starting to load model meta-llama/Llama-2-7b-hf",
		"ignoring flags that have no effect in the simulator: --trust-remote-code, --swap-space 4",
		"Starting vLLM API server 0 on http://127.0.0.1:",
		"Received request cmpl-",
		`"POST /v1/completions HTTP/1.1" 200 OK`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestProcessLoadTimeDelaysPort(t *testing.T) {
	start := time.Now()
	c := startChild(t, "m", "--sim-load-time", "2")
	waitFor(t, 30*time.Second, "the loading log line", func() bool { return strings.Contains(c.out.String(), "Starting to load model") })
	if !c.refused() {
		t.Fatal("the port accepted connections while loading")
	}
	waitFor(t, 30*time.Second, "/health 200", c.healthy)
	if el := time.Since(start); el < 2*time.Second {
		t.Errorf("healthy after %v, before the 2 s load time", el)
	}
}

func TestProcessFailStart(t *testing.T) {
	c := startChild(t, "m", "--sim-fail-start", "--sim-load-time", "0.2")
	if code := c.exitCode(t, 30*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if out := c.out.String(); !strings.Contains(out, "CUDA out of memory") || strings.Contains(out, "Starting vLLM API server") {
		t.Errorf("log %q, want a CUDA OOM and no server start", out)
	}
}

func TestProcessCrashAfter(t *testing.T) {
	c := startChild(t, "m", "--sim-speedup", "10", "--sim-load-time", "0", "--sim-crash-after", "5")
	waitFor(t, 30*time.Second, "/health 200", c.healthy)
	for i := 0; i < 4; i++ {
		if code, body := post(t, c.url+"/v1/completions", map[string]any{"prompt": ids(16, i), "max_tokens": 2}); code != 200 {
			t.Fatalf("request %d: %d %s", i+1, code, body)
		}
	}
	// The fifth request is admitted and the process dies with it in flight.
	complete := make(chan bool, 3)
	for i := 0; i < 3; i++ {
		go func() {
			b, _ := json.Marshal(map[string]any{"prompt": ids(16, 9), "max_tokens": 500, "ignore_eos": true, "stream": true})
			resp, err := http.Post(c.url+"/v1/completions", "application/json", bytes.NewReader(b))
			if err != nil {
				complete <- false
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			complete <- strings.Contains(string(body), "[DONE]")
		}()
	}
	if code := c.exitCode(t, 30*time.Second); code == 0 {
		t.Error("exit code 0 after the injected crash")
	}
	for i := 0; i < 3; i++ {
		if <-complete {
			t.Error("a stream completed after the crash")
		}
	}
	if !strings.Contains(c.out.String(), "EngineCore encountered a fatal error") {
		t.Error("no fatal-error log line")
	}
}
