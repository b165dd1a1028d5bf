package sim

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCacheKey(t *testing.T) {
	base := cacheKey([]string{"m", "--port", "8000", "-tp", "2"})
	for _, tt := range []struct {
		args []string
		same bool
	}{
		{[]string{"m", "--port", "9000", "-tp", "2"}, true},
		{[]string{"m", "--port=9000", "--host", "0.0.0.0", "-tp", "2"}, true},
		{[]string{"m", "--port", "8000", "-tp", "1"}, false},
		{[]string{"other", "--port", "8000", "-tp", "2"}, false},
		{[]string{"m", "--port", "8000", "-tp", "2", "--sim-slowdown", "1.25"}, false},
	} {
		if got := cacheKey(tt.args) == base; got != tt.same {
			t.Errorf("cacheKey(%q) equal to the base's: %v, want %v", tt.args, got, tt.same)
		}
	}
}

func TestLoadTime(t *testing.T) {
	warm := 7.0
	for _, tt := range []struct {
		name     string
		o        options
		warm     bool
		wantLoad float64
	}{
		{"cold", options{SimLoadTimeS: 90}, false, 90},
		{"warm by default", options{SimLoadTimeS: 90}, true, 27},
		{"warm as given", options{SimLoadTimeS: 90, SimWarmLoadTimeS: &warm}, true, 7},
		{"cold ignores the warm time", options{SimLoadTimeS: 90, SimWarmLoadTimeS: &warm}, false, 90},
	} {
		if got := tt.o.loadTimeS(tt.warm); got != tt.wantLoad {
			t.Errorf("%s: load time %v s, want %v s", tt.name, got, tt.wantLoad)
		}
	}
}

// syncBuffer is a log written by the server's goroutines and read by the
// test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startOnce runs the simulator until it answers /health, stops it and
// returns its log.
func startOnce(t *testing.T, args ...string) string {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append(args, "--port", strconv.Itoa(port)), &bytes.Buffer{}, &log)
	}()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/health"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		select {
		case code := <-done:
			t.Fatalf("simulator exited with %d before it was ready:\n%s", code, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulator not ready:\n%s", log.String())
		}
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("simulator exited with %d:\n%s", code, log.String())
	}
	return log.String()
}

func TestCompileCacheMakesTheSecondStartWarm(t *testing.T) {
	root := t.TempDir()
	t.Setenv(cacheRootEnv, root)
	args := []string{"m", "--sim-speedup", "100", "--sim-load-time", "10", "--sim-warm-load-time", "2"}

	first := startOnce(t, args...)
	if !strings.Contains(first, "Compiling a graph for dynamic shape takes 4.00 s") {
		t.Errorf("first start: want a cold compile of 0.4 x 10 s:\n%s", first)
	}
	if _, err := os.Stat(markerPath(root, cacheKey(append(args, "--port", "1")))); err != nil {
		t.Errorf("first start left no marker: %v", err)
	}
	second := startOnce(t, args...) // on another port: the same key
	if !strings.Contains(second, "Directly load the compiled graph(s) for dynamic shape from the cache, took 0.800 s") ||
		!strings.Contains(second, "init engine (profile, create kv cache, warmup model) took 0.80 seconds") {
		t.Errorf("second start: want a warm load of 2 s:\n%s", second)
	}
	other := startOnce(t, append(args, "--max-num-seqs", "8")...)
	if !strings.Contains(other, "Compiling a graph") {
		t.Errorf("a start with other arguments found the marker of the first:\n%s", other)
	}

	t.Setenv(cacheRootEnv, "")
	if off := startOnce(t, args...); strings.Contains(off, "torch.compile") {
		t.Errorf("without %s the cache is not modelled:\n%s", cacheRootEnv, off)
	}
}
