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
