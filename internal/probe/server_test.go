package probe

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func readPage(t *testing.T, name string) snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "metrics", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parseExposition(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// want is a quantity of a block and its expected value; a NaN value means
// "absent from the block".
type want struct {
	name string
	get  func(ServerMetrics) (float64, bool)
	v    float64
}

func counterDelta(name string, f func(ServerMetrics) *Counter, v float64) want {
	return want{name, func(m ServerMetrics) (float64, bool) {
		if c := f(m); c != nil {
			return c.Delta, true
		}
		return 0, false
	}, v}
}

func perRequest(name string, f func(ServerMetrics) *Counter, v float64) want {
	return want{name + "/request", func(m ServerMetrics) (float64, bool) {
		if c := f(m); c != nil && c.PerRequest != nil {
			return *c.PerRequest, true
		}
		return 0, false
	}, v}
}

func meanMs(name string, f func(ServerMetrics) *Timing, v float64) want {
	return want{name + " mean ms", func(m ServerMetrics) (float64, bool) {
		if t := f(m); t != nil {
			return t.MeanMs, true
		}
		return 0, false
	}, v}
}

func peak(name string, f func(ServerMetrics) *Gauge, v float64) want {
	return want{name + " peak", func(m ServerMetrics) (float64, bool) {
		if g := f(m); g != nil {
			return g.Peak, true
		}
		return 0, false
	}, v}
}

var (
	requests    = func(m ServerMetrics) *Counter { return m.Requests }
	prompt      = func(m ServerMetrics) *Counter { return m.PromptTokens }
	generation  = func(m ServerMetrics) *Counter { return m.GenerationTokens }
	preemptions = func(m ServerMetrics) *Counter { return m.Preemptions }
	queries     = func(m ServerMetrics) *Counter { return m.PrefixCacheQueriedTokens }
	hits        = func(m ServerMetrics) *Counter { return m.PrefixCacheHitTokens }
	queue       = func(m ServerMetrics) *Timing { return m.QueueTime }
	prefill     = func(m ServerMetrics) *Timing { return m.PrefillTime }
	decode      = func(m ServerMetrics) *Timing { return m.DecodeTime }
	inference   = func(m ServerMetrics) *Timing { return m.InferenceTime }
	ttft        = func(m ServerMetrics) *Timing { return m.TTFT }
	itl         = func(m ServerMetrics) *Timing { return m.ITL }
	e2el        = func(m ServerMetrics) *Timing { return m.E2EL }
	running     = func(m ServerMetrics) *Gauge { return m.RunningRequests }
	waiting     = func(m ServerMetrics) *Gauge { return m.WaitingRequests }
	kvUsage     = func(m ServerMetrics) *Gauge { return m.KVCacheUsagePct }

	promptSeconds     = func(m ServerMetrics) *Counter { return m.PromptSeconds }
	generationSeconds = func(m ServerMetrics) *Counter { return m.GenerationSeconds }
	hitPct            = want{"prefix hit pct", func(m ServerMetrics) (float64, bool) {
		if m.PrefixCacheHitPct != nil {
			return *m.PrefixCacheHitPct, true
		}
		return 0, false
	}, 0}
)

func hitPctIs(v float64) want { w := hitPct; w.v = v; return w }

var absent = math.NaN()

// The expected values follow from the fixtures (testdata/metrics/README.md)
// by hand: e.g. vLLM V1's queue time is 50 requests at 0.2 s on engine 0
// and 50 at 0.04 s on engine 1 after the warmup, (10 + 2) s / 100 = 120 ms.
var serverCases = []struct {
	name   string
	page   string
	source string
	wants  []want
}{
	{"vllm v1, two engines", "vllm-v1", "vllm", []want{
		counterDelta("requests", requests, 100),
		counterDelta("prompt tokens", prompt, 102400),
		perRequest("prompt tokens", prompt, 1024),
		counterDelta("generation tokens", generation, 12800),
		counterDelta("preemptions", preemptions, 41),
		perRequest("preemptions", preemptions, 0.41),
		counterDelta("prefix queries", queries, 102400),
		counterDelta("prefix hits", hits, 25600),
		hitPctIs(25),
		meanMs("queue", queue, 120),
		meanMs("prefill", prefill, 50),
		meanMs("decode", decode, 1000),
		meanMs("inference", inference, 1050),
		meanMs("ttft", ttft, 170),
		meanMs("itl", itl, 8),
		meanMs("e2el", e2el, 1200),
		peak("running", running, 93), // summed over engines
		peak("waiting", waiting, 12),
		peak("kv usage", kvUsage, 98), // the fuller engine, in percent
	}},
	{"vllm v0, older names", "vllm-v0", "vllm", []want{
		counterDelta("requests", requests, 20), // absent before: zero before
		perRequest("prompt tokens", prompt, 512),
		counterDelta("preemptions", preemptions, 3),
		meanMs("itl (time_per_output_token)", itl, 12),
		meanMs("ttft", ttft, 60),
		meanMs("e2el", e2el, 800),
		meanMs("queue", queue, absent),
		meanMs("prefill", prefill, absent),
		counterDelta("prefix queries", queries, absent),
		peak("kv usage (gpu_cache_usage_perc)", kvUsage, 55),
		peak("running", running, 20),
	}},
	{"sglang", "sglang", "sglang", []want{
		counterDelta("requests", requests, 40),
		perRequest("generation tokens", generation, 256),
		counterDelta("preemptions (retractions)", preemptions, 2),
		hitPctIs(25),
		meanMs("queue", queue, 100),
		meanMs("ttft", ttft, 150),
		meanMs("itl", itl, 20),
		meanMs("decode", decode, absent),
		peak("running", running, 32),
		peak("waiting", waiting, 8),
		peak("kv usage (token_usage)", kvUsage, 87),
	}},
	{"llama.cpp", "llamacpp", "llama.cpp", []want{
		counterDelta("requests", requests, absent), // llama.cpp does not count them
		counterDelta("prompt tokens", prompt, 8192),
		counterDelta("generation tokens", generation, 2048),
		counterDelta("prompt seconds", promptSeconds, 4.096),
		counterDelta("generation seconds", generationSeconds, 10.24),
		msPerToken("prompt", func(m ServerMetrics) *float64 { return m.PromptMsPerToken }, 0.5),
		msPerToken("generation", func(m ServerMetrics) *float64 { return m.GenerationMsPerToken }, 5),
		counterDelta("preemptions", preemptions, absent),
		meanMs("ttft", ttft, absent),
		peak("running (requests_processing)", running, 8),
		peak("waiting (requests_deferred)", waiting, 3),
		peak("kv usage (kv_cache_usage_ratio)", kvUsage, 37.5),
	}},
}

func msPerToken(name string, f func(ServerMetrics) *float64, v float64) want {
	return want{name + " ms per token", func(m ServerMetrics) (float64, bool) {
		if p := f(m); p != nil {
			return *p, true
		}
		return 0, false
	}, v}
}

func TestServerMetricsFromPages(t *testing.T) {
	for _, tc := range serverCases {
		t.Run(tc.name, func(t *testing.T) {
			var a serverAcc
			before, during, after := readPage(t, tc.page+"-before.txt"), readPage(t, tc.page+"-during.txt"), readPage(t, tc.page+"-after.txt")
			a.addGauges(during)
			a.addGauges(during)
			a.addRound(before, after)
			m := a.block()
			if m.Source != tc.source || m.Rounds != 1 || m.Note != "" || m.Empty() {
				t.Fatalf("source %q rounds %d note %q empty %v, want %q 1 \"\" false", m.Source, m.Rounds, m.Note, m.Empty(), tc.source)
			}
			for _, w := range tc.wants {
				got, ok := w.get(m)
				switch {
				case math.IsNaN(w.v) && ok:
					t.Errorf("%s = %v, want it left out", w.name, got)
				case !math.IsNaN(w.v) && !ok:
					t.Errorf("%s missing, want %v", w.name, w.v)
				case ok && !near(got, w.v):
					t.Errorf("%s = %v, want %v", w.name, got, w.v)
				}
			}
		})
	}
}

func TestServerMetricsRoundsAdd(t *testing.T) {
	var a serverAcc
	before, after := readPage(t, "vllm-v1-before.txt"), readPage(t, "vllm-v1-after.txt")
	a.addRound(before, after)
	a.addRound(before, after)
	a.addGauges(readPage(t, "vllm-v1-during.txt"))
	a.addGauges(before) // idle: running 0
	m := a.block()
	if m.Rounds != 2 || m.Requests.Delta != 200 || m.Preemptions.Delta != 82 || !near(m.QueueTime.MeanMs, 120) {
		t.Errorf("two rounds: rounds %d requests %v preemptions %v queue %v ms, want 2 200 82 120",
			m.Rounds, m.Requests.Delta, m.Preemptions.Delta, m.QueueTime.MeanMs)
	}
	if g := m.RunningRequests; g.Samples != 2 || g.Peak != 93 || !near(g.Mean, 46.5) {
		t.Errorf("running = %+v, want peak 93, mean 46.5 over 2 samples", *g)
	}
}

func TestServerMetricsCounterReset(t *testing.T) {
	var a serverAcc
	a.addRound(readPage(t, "vllm-v1-after.txt"), readPage(t, "vllm-v1-before.txt"))
	m := a.block()
	if m.Rounds != 0 || m.Requests != nil || !strings.Contains(m.Note, "backwards") {
		t.Errorf("reset: rounds %d requests %v note %q, want 0, nil and a note", m.Rounds, m.Requests, m.Note)
	}
}

func TestServerMetricsOtherNames(t *testing.T) {
	var a serverAcc
	a.scrapes = 2
	a.addRound(readPage(t, "tgi.txt"), readPage(t, "tgi.txt"))
	m := a.block()
	if !m.Empty() || m.Source != "" || !strings.Contains(m.Note, "no vLLM, SGLang or llama.cpp metric names") {
		t.Errorf("tgi page: %+v, want an empty block with a note", m)
	}
}

// pages serves one fixture page per phase of a round.
type pages struct {
	mu    sync.Mutex
	phase string
	hits  map[string]int
}

func (p *pages) set(phase string) { p.mu.Lock(); p.phase = phase; p.mu.Unlock() }

func (p *pages) count(phase string) int { p.mu.Lock(); defer p.mu.Unlock(); return p.hits[phase] }

func (p *pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		http.NotFound(w, r)
		return
	}
	p.mu.Lock()
	phase := p.phase
	p.hits[phase]++
	p.mu.Unlock()
	http.ServeFile(w, r, filepath.Join("testdata", "metrics", "vllm-v1-"+phase+".txt"))
}

// waitFor polls cond for at most 10 s; the bound keeps a broken probe from
// hanging the test without making a slow machine fail it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestServerProbeScrapesAroundRound(t *testing.T) {
	srv := &pages{phase: "before", hits: map[string]int{}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	p := NewServerProbe(ts.URL+"/", ServerOptions{FirstGaugeDelay: time.Millisecond, GaugeInterval: 2 * time.Millisecond})
	ctx := context.Background()

	r := p.BeginRound(ctx)
	if srv.count("before") != 1 {
		t.Fatalf("before scrapes = %d, want 1 before BeginRound returns", srv.count("before"))
	}
	srv.set("during")
	waitFor(t, "gauge samples", func() bool { return srv.count("during") >= 3 })
	srv.set("after")
	r.End(ctx)
	afterEnd := srv.count("after")
	m := p.Metrics()
	if m.Source != "vllm" || m.Rounds != 1 || m.Preemptions.Delta != 41 || !near(m.QueueTime.MeanMs, 120) {
		t.Fatalf("block: %+v", m)
	}
	if m.KVCacheUsagePct == nil || m.KVCacheUsagePct.Peak != 98 {
		t.Fatalf("kv usage = %+v, want peak 98", m.KVCacheUsagePct)
	}
	// Gauge samples taken after the load ended (phase "after") may be in
	// the mean but never raise the peak; after End no more scrapes happen.
	time.Sleep(20 * time.Millisecond)
	if n := srv.count("after"); n != afterEnd {
		t.Errorf("scrapes after End: %d more", n-afterEnd)
	}
	// The last gauge sample may be cut short by End: it reaches the
	// server but is no scrape.
	if seen := srv.count("before") + srv.count("during") + afterEnd; m.Scrapes > seen || m.Scrapes < seen-1 {
		t.Errorf("scrapes = %d, want %d or %d (what the server saw)", m.Scrapes, seen-1, seen)
	}
}

func TestServerProbeWithoutMetrics(t *testing.T) {
	var gets atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		http.NotFound(w, r)
	}))
	defer ts.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	for _, tc := range []struct{ name, url, note string }{
		{"404", ts.URL, "404 Not Found"},
		{"nothing listening", closedURL, "server metrics:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewServerProbe(tc.url, ServerOptions{FirstGaugeDelay: time.Millisecond, GaugeInterval: time.Millisecond})
			for range 2 {
				r := p.BeginRound(context.Background())
				r.End(context.Background())
			}
			m := p.Metrics()
			if !m.Empty() || m.FailedScrapes != 4 || !strings.Contains(m.Note, tc.note) {
				t.Errorf("block %+v, want empty, 4 failed scrapes and a note with %q", m, tc.note)
			}
		})
	}
	if n := gets.Load(); n != 4 {
		t.Errorf("GETs of a missing /metrics = %d, want 4 (no gauge polling without a before scrape)", n)
	}
}
