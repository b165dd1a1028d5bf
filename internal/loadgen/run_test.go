package loadgen

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// roundOf runs one round against srv and returns its records by index.
func roundOf(t *testing.T, ctx context.Context, c *Client, l Load) ([]Record, Round, error) {
	t.Helper()
	recs := make([]Record, l.N)
	round, err := c.Run(ctx, l, func(r Record) { recs[r.Index] = r })
	return recs, round, err
}

func prompts(t *testing.T, c *Client, endpoint string, inputLen, count int) *PromptSet {
	t.Helper()
	p, err := BuildPrompts(context.Background(), c, PromptOptions{Model: "fake-model", Endpoint: endpoint, InputLen: inputLen, Count: count, Seed: 3})
	if err != nil {
		t.Fatalf("BuildPrompts: %v", err)
	}
	return p
}

func TestRunClosedLoop(t *testing.T) {
	f := &fakeServer{ttft: 5 * time.Millisecond, itl: time.Millisecond, wantAPIKey: "sk-test"}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL + "/v1/", APIKey: "sk-test", MaxConns: 4})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 64, 0)
	recs, round, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 20, OutputLen: 5, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if round.Sent != 20 || round.DurationS <= 0 {
		t.Errorf("round = %+v", round)
	}
	for i, r := range recs {
		if !r.OK() {
			t.Fatalf("request %d failed: %s", i, r.Error)
		}
		if r.Index != i || r.PromptTokens != 64 || r.CompletionTokens != 5 || len(r.ITLsS) != 4 {
			t.Errorf("record %d = %+v", i, r)
		}
		if r.TTFTS < 0.004 || r.LatencyS < r.TTFTS || r.EndS < r.StartS+r.LatencyS {
			t.Errorf("record %d times: ttft %v latency %v start %v end %v", i, r.TTFTS, r.LatencyS, r.StartS, r.EndS)
		}
	}
	if m := f.maxInFlight.Load(); m > 4 {
		t.Errorf("server saw %d requests in flight, want <= 4", m)
	}
	body := f.bodies[0]
	want := map[string]any{"model": "fake-model", "max_tokens": 5.0, "stream": true, "stream_options": map[string]any{"include_usage": true}, "ignore_eos": true}
	for k, v := range want {
		if !reflect.DeepEqual(body[k], v) {
			t.Errorf("body[%q] = %v, want %v", k, body[k], v)
		}
	}
	if ids, ok := body["prompt"].([]any); !ok || len(ids) != 64 {
		t.Errorf("prompt = %v, want 64 token ids", body["prompt"])
	}
}

func TestRunServerErrors(t *testing.T) {
	f := &fakeServer{failEvery: 3}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL, MaxConns: 1})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 9, OutputLen: 2, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range recs {
		if !r.OK() {
			failed++
			if !strings.HasPrefix(r.Error, "HTTP 500: injected failure") {
				t.Errorf("error = %q, want the body's message", r.Error)
			}
			if r.TTFTS != 0 || r.CompletionTokens != 0 {
				t.Errorf("failed record carries data: %+v", r)
			}
		}
	}
	if failed != 3 {
		t.Errorf("failed = %d, want 3", failed)
	}
}

func TestRunCancel(t *testing.T) {
	f := &fakeServer{hang: true}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL, MaxConns: 4})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, round, err := roundOf(t, ctx, c, Load{Prompts: p, N: 10, OutputLen: 5, Concurrency: 4})
	if err == nil {
		t.Fatal("Run returned no error after cancellation")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v after cancellation", d)
	}
	if round.Sent != 4 {
		t.Errorf("sent %d, want 4 (the concurrency)", round.Sent)
	}
}

func TestRunTimeout(t *testing.T) {
	f := &fakeServer{hang: true}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL, RequestTimeout: 50 * time.Millisecond})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 2, OutputLen: 5, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if !strings.Contains(r.Error, "timed out after 50ms") {
			t.Errorf("error = %q, want a timeout", r.Error)
		}
	}
}

func TestRunOpenLoopQueue(t *testing.T) {
	f := &fakeServer{ttft: 40 * time.Millisecond}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	// 100 req/s with one slot and 40 ms per request: the queue grows.
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 6, OutputLen: 1, Concurrency: 1, RequestRate: 100, Burstiness: math.Inf(1)})
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].QueueS > 0.005 {
		t.Errorf("first request queued %v s", recs[0].QueueS)
	}
	if q := recs[5].QueueS; q < 0.1 {
		t.Errorf("last request queued %v s, want >= 0.1 (5 x 40 ms of service minus 50 ms of schedule)", q)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].StartS < recs[i-1].StartS+0.035 {
			t.Errorf("request %d sent %v s after the previous one, want >= 40 ms", i, recs[i].StartS-recs[i-1].StartS)
		}
	}
}

func TestRunStreamEnd(t *testing.T) {
	tests := []struct {
		name    string
		server  *fakeServer
		wantErr string
	}{
		{"done", &fakeServer{}, ""},
		{"no done after finish_reason and usage", &fakeServer{noDone: true}, ""},
		{"cut before any finish_reason", &fakeServer{noDone: true, cutAfter: 2}, "stream ended before [DONE] and before a finish_reason, after 2 messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.server)
			c := NewClient(ClientOptions{BaseURL: srv.URL, MaxConns: 2})
			defer c.Close()
			for _, endpoint := range []string{EndpointCompletions, EndpointChat} {
				p := prompts(t, c, endpoint, 8, 4)
				recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 4, OutputLen: 5, Concurrency: 2})
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range recs {
					switch {
					case tt.wantErr == "" && !r.OK():
						t.Errorf("%s request %d failed: %s", endpoint, i, r.Error)
					case tt.wantErr == "" && (r.CompletionTokens != 5 || len(r.ITLsS) != 4):
						t.Errorf("%s request %d = %+v, want 5 tokens", endpoint, i, r)
					case tt.wantErr != "" && !strings.Contains(r.Error, tt.wantErr):
						t.Errorf("%s request %d error %q, want %q", endpoint, i, r.Error, tt.wantErr)
					}
				}
			}
		})
	}
}

func TestRunStall(t *testing.T) {
	f := &fakeServer{itl: time.Millisecond, hangFrom: 5}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL, MaxConns: 2, StallTimeout: 500 * time.Millisecond})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	start := time.Now()
	var recs []Record
	round, err := c.Run(context.Background(), Load{Prompts: p, N: 20, OutputLen: 3, Concurrency: 2}, func(r Record) { recs = append(recs, r) })
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want one matching ErrStalled", err)
	}
	var stall *StallError
	if !errors.As(err, &stall) || stall.Timeout != 500*time.Millisecond || !strings.Contains(err.Error(), "server stalled: no token for 500ms") {
		t.Errorf("err = %v, want a *StallError naming 500ms", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a stalled round took %v", d)
	}
	if round.Sent != 6 || len(recs) != 6 {
		t.Fatalf("sent %d, got %d records; want 6 (4 finished, 2 hung)", round.Sent, len(recs))
	}
	ok, stalled := 0, 0
	for _, r := range recs {
		switch {
		case r.OK():
			ok++
		case r.Error == "cancelled: server stalled: no token for 500ms":
			stalled++
		default:
			t.Errorf("record error %q", r.Error)
		}
	}
	if ok != 4 || stalled != 2 {
		t.Errorf("%d finished and %d stalled records, want 4 and 2", ok, stalled)
	}
}

func TestRunNoFalseStall(t *testing.T) {
	// Arrivals 600 ms apart with nothing in flight between them, and a
	// 600 ms stream whose tokens are 150 ms apart: neither is a 400 ms
	// stall.
	f := &fakeServer{ttft: 5 * time.Millisecond, itl: 150 * time.Millisecond}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL, MaxConns: 1, StallTimeout: 400 * time.Millisecond})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 8, 0)
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 3, OutputLen: 1, Concurrency: 1, RequestRate: 1 / 0.6, Burstiness: math.Inf(1)})
	if err != nil {
		t.Fatalf("open loop with gaps: %v", err)
	}
	recs, _, err = roundOf(t, context.Background(), c, Load{Prompts: p, N: 1, OutputLen: 5, Concurrency: 1})
	if err != nil {
		t.Fatalf("slow stream: %v", err)
	}
	if !recs[0].OK() {
		t.Errorf("slow stream failed: %s", recs[0].Error)
	}
}

func TestFormatTimeout(t *testing.T) {
	for d, want := range map[time.Duration]string{
		60 * time.Second:        "60s",
		90 * time.Second:        "90s",
		1500 * time.Millisecond: "1.5s",
		200 * time.Millisecond:  "200ms",
	} {
		if got := formatTimeout(d); got != want {
			t.Errorf("formatTimeout(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestRunEnough stops sending once Enough says so: the requests in flight
// finish and are recorded, no later one is sent, and the round is no
// failure.
func TestRunEnough(t *testing.T) {
	f := &fakeServer{ttft: 2 * time.Millisecond, itl: time.Millisecond}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL + "/v1/", MaxConns: 4})
	defer c.Close()
	p := prompts(t, c, EndpointCompletions, 16, 0)
	var asked, done int
	var mu sync.Mutex
	enough := func() bool {
		mu.Lock()
		defer mu.Unlock()
		asked++
		return done >= 10
	}
	var recs []Record
	round, err := c.Run(context.Background(), Load{Prompts: p, N: 100, OutputLen: 3, Concurrency: 4, Enough: enough}, func(r Record) {
		mu.Lock()
		done++
		mu.Unlock()
		recs = append(recs, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A slot is freed before its record reaches the sink: once 10 are
	// recorded, at most 4 in flight and 4 on their way to the sink were
	// sent after them.
	if round.Sent < 10 || round.Sent > 18 || len(recs) != round.Sent {
		t.Errorf("sent %d, recorded %d; want 10 to 18 sent, each recorded", round.Sent, len(recs))
	}
	for _, r := range recs {
		if !r.OK() {
			t.Errorf("request %d failed: %s", r.Index, r.Error)
		}
	}
	if asked != round.Sent+1 {
		t.Errorf("Enough asked %d times, want once per request sent and once more", asked)
	}
}
