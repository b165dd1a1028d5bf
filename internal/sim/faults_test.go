package sim

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestErrorRate(t *testing.T) {
	_, url := startTestServer(t, "m", "--sim-speedup", "1000", "--sim-error-rate", "0.3", "--seed", "5")
	fails := 0
	const n = 200
	for i := 0; i < n; i++ {
		code, body := post(t, url+"/v1/completions", map[string]any{"prompt": ids(4, i), "max_tokens": 1})
		switch code {
		case 200:
		case 500:
			fails++
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil || e.Object != "error" || e.Code != 500 || e.Type != "InternalServerError" {
				t.Fatalf("500 body %s is not vLLM's error shape", body)
			}
		default:
			t.Fatalf("status %d: %s", code, body)
		}
	}
	// Binomial(200, 0.3): mean 60, sd 6.5; the bounds are over 4 sd away.
	if fails < 32 || fails > 88 {
		t.Errorf("%d of %d requests failed, want about 30%%", fails, n)
	}
}

func TestHangAfter(t *testing.T) {
	s, url := startTestServer(t, "m", "--sim-speedup", "100", "--sim-hang-after", "3")
	for i := 0; i < 2; i++ {
		if code, body := post(t, url+"/v1/completions", map[string]any{"prompt": ids(4, i), "max_tokens": 2}); code != 200 {
			t.Fatalf("request %d before the hang: %d %s", i+1, code, body)
		}
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if _, err := client.Post(url+"/v1/completions", "application/json", strings.NewReader(`{"prompt":"x","max_tokens":2}`)); err == nil {
		t.Fatal("the third request answered; it should hang")
	}
	if !s.faults.isHung() {
		t.Fatal("server not hung after 3 admitted requests")
	}
	if _, err := client.Get(url + "/health"); err == nil {
		t.Error("/health answered after the hang")
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
	if err != nil {
		t.Fatalf("the port must stay open while hung: %v", err)
	}
	conn.Close()
}

// TestSlowdownOverHTTP compares the TTFT that /metrics reports (simulated
// seconds) with and without --sim-slowdown; the prompt is long enough that
// scheduling delays on a busy machine do not matter.
func TestSlowdownOverHTTP(t *testing.T) {
	ttft := func(args ...string) float64 {
		_, url := startTestServer(t, append([]string{"m", "--sim-run-cv", "0", "--sim-speedup", "2"}, args...)...)
		post(t, url+"/v1/completions", map[string]any{"prompt": ids(4000, 0), "max_tokens": 1})
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sum float64
		body, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, `vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} `); ok {
				_ = json.Unmarshal([]byte(v), &sum)
			}
		}
		return sum
	}
	base, slow := ttft(), ttft("--sim-slowdown", "3")
	if base < 0.1 || slow < 2*base {
		t.Errorf("TTFT %.3f s with --sim-slowdown 3 vs %.3f s without, want about 3x", slow, base)
	}
}

func TestDataParallelSpreadsRequests(t *testing.T) {
	s, url := startTestServer(t, "m", "-dp", "2", "--sim-speedup", "20")
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			post(t, url+"/v1/completions", map[string]any{"prompt": ids(64, i), "max_tokens": 40, "ignore_eos": true})
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	if len(s.replicas) != 2 {
		t.Fatalf("%d replicas, want 2", len(s.replicas))
	}
	// Both replicas produced tokens: the counters add up and each engine
	// ran some steps.
	if got := s.totals().generationTokens; got != 8*40 {
		t.Errorf("%.0f tokens generated, want 320", got)
	}
	for i, r := range s.replicas {
		if r.size.Load() != 0 {
			t.Errorf("replica %d still holds %d sequences", i, r.size.Load())
		}
	}
	// Routing: the least-loaded replica gets the next sequence.
	idle := newServer(s.opts, s.plan, s.log, 1, 1)
	for i := 0; i < 6; i++ {
		idle.pickReplica().submit(&sequence{promptTokens: 1, maxTokens: 1, stopAfter: 1})
	}
	if a, b := idle.replicas[0].size.Load(), idle.replicas[1].size.Load(); a != 3 || b != 3 {
		t.Errorf("6 sequences routed %d/%d, want 3/3", a, b)
	}
}
