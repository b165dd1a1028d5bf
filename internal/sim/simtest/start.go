package simtest

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
)

// healthTimeout bounds the wait for the simulator's /health to answer 200.
const healthTimeout = 10 * time.Second

// stopTimeout bounds the wait for the simulator to return after the test.
const stopTimeout = 5 * time.Second

// Start runs the simulator in-process on a free loopback port, serving
// model "sim-model" with no load time, 20 times faster than simulated time
// and seed 1, plus extra flags (a later flag wins), and returns its base
// URL once /health answers; it stops when the test ends. The test fails if
// the simulator exits or is not healthy within 10 s, or does not stop
// within 5 s of the test's end.
func Start(t testing.TB, extra ...string) string {
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
		case <-time.After(stopTimeout):
			t.Error("simulator did not stop")
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(healthTimeout)
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
	t.Fatalf("simulator not healthy after %v: %s", healthTimeout, logs.String())
	return ""
}
