package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sim"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// startSim runs the simulator in-process on a free port and returns its
// base URL; it stops when the test ends.
func startSim(t *testing.T, extra ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var logs bytes.Buffer
	args := append([]string{"sim-model", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--sim-load-time", "0", "--sim-speedup", "20", "--seed", "1"}, extra...)
	go func() { done <- sim.Main(ctx, args, io.Discard, &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("simulator did not stop")
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("simulator exited with %d: %s", code, logs.String())
		default:
		}
		if resp, err := http.Get(base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("simulator not healthy after 10 s: %s", logs.String())
	return ""
}

func TestMeasurePointSim(t *testing.T) {
	base := startSim(t)
	var stderr bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: &stderr}
	f, err := measurePoint(context.Background(), env, benchSpec{
		BaseURL: base, Point: sweep.Point{ContextSize: 512, Concurrency: 8, NumPrompts: 40, OutputLen: 32},
		WarmupPrompts: 2, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Completed != 40 || f.Failed != 0 {
		t.Fatalf("completed %d failed %d, want 40 and 0; first error %q", f.Completed, f.Failed, firstError(f.Errors))
	}
	for i := range f.InputLens {
		if f.InputLens[i] != 512 || f.OutputLens[i] != 32 {
			t.Fatalf("request %d: input %d output %d, want 512 and 32", i, f.InputLens[i], f.OutputLens[i])
		}
	}
	if f.ModelID != "sim-model" || f.MedianTTFTMs <= 0 || f.MedianTPOTMs <= 0 || f.OutputThroughput <= 0 {
		t.Errorf("model %q ttft %v tpot %v output throughput %v", f.ModelID, f.MedianTTFTMs, f.MedianTPOTMs, f.OutputThroughput)
	}
	// vLLM counts requests per 1-second bin: a point this short has all
	// its requests in the first bin.
	if f.Duration < 1 && f.MaxConcurrentRequests != 40 {
		t.Errorf("max concurrent requests %d, want all 40 in the one second the point took", f.MaxConcurrentRequests)
	}
	if m := f.VllmBench; m.PromptMethod != "token-ids" || len(m.Repeats) != 1 || m.StartTime == "" || m.SchemaVersion == 0 {
		t.Errorf("meta = %+v", m)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("40/40 done")) {
		t.Errorf("no final progress line in %q", stderr.String())
	}
}

func TestMeasurePointCancel(t *testing.T) {
	base := startSim(t, "--sim-speedup", "0.05") // slow: requests outlive the context
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	env := &Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	start := time.Now()
	_, err := measurePoint(ctx, env, benchSpec{
		BaseURL: base, Point: sweep.Point{ContextSize: 64, Concurrency: 4, NumPrompts: 8, OutputLen: 64},
	})
	if err == nil {
		t.Fatal("measurePoint returned no error after cancellation")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("measurePoint took %v after cancellation", d)
	}
}

func TestMeasurePointUnreachable(t *testing.T) {
	env := &Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	_, err := measurePoint(context.Background(), env, benchSpec{
		BaseURL: "http://127.0.0.1:1", Point: sweep.Point{ContextSize: 8, Concurrency: 1, NumPrompts: 1, OutputLen: 1},
	})
	if err == nil {
		t.Fatal("no error for an unreachable server")
	}
}
