package probe

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func f64(v float64) *float64 { return &v }

// server builds a block from the few quantities a case sets.
type serverSpec struct {
	requests, preemptions, promptPerReq float64
	queueMs, decodeMs, ttftMs           float64
	kvPeak, waitingPeak, runningMean    float64
	hitPct                              *float64
}

func (s serverSpec) block() *ServerMetrics {
	m := &ServerMetrics{Source: "vllm", Rounds: 1, Scrapes: 3}
	m.Requests = &Counter{Delta: s.requests}
	m.Preemptions = &Counter{Delta: s.preemptions, PerRequest: f64(s.preemptions / s.requests)}
	m.PromptTokens = &Counter{Delta: s.promptPerReq * s.requests, PerRequest: f64(s.promptPerReq)}
	timing := func(ms float64) *Timing { return &Timing{Count: s.requests, SumS: ms * s.requests / 1000, MeanMs: ms} }
	m.QueueTime, m.DecodeTime, m.TTFT = timing(s.queueMs), timing(s.decodeMs), timing(s.ttftMs)
	m.KVCacheUsagePct = &Gauge{Peak: s.kvPeak, Mean: s.kvPeak / 2, Samples: 5}
	m.WaitingRequests = &Gauge{Peak: s.waitingPeak, Mean: s.waitingPeak / 2, Samples: 5}
	m.RunningRequests = &Gauge{Peak: 2 * s.runningMean, Mean: s.runningMean, Samples: 5}
	m.PrefixCacheHitPct = s.hitPct
	return m
}

// llamaServer is a block as llama.cpp's server gives one: prompt and
// generation tokens and seconds, no requests counter, no histograms.
func llamaServer(promptMsPerTok, genMsPerTok, runningMean, waitingPeak float64) *ServerMetrics {
	m := &ServerMetrics{Source: "llama.cpp", Rounds: 1, Scrapes: 3}
	m.PromptTokens, m.GenerationTokens = &Counter{Delta: 8192}, &Counter{Delta: 2048}
	m.PromptSeconds = &Counter{Delta: 8192 * promptMsPerTok / 1000}
	m.GenerationSeconds = &Counter{Delta: 2048 * genMsPerTok / 1000}
	m.PromptMsPerToken, m.GenerationMsPerToken = f64(promptMsPerTok), f64(genMsPerTok)
	m.RunningRequests = &Gauge{Peak: runningMean, Mean: runningMean, Samples: 5}
	m.WaitingRequests = &Gauge{Peak: waitingPeak, Mean: waitingPeak / 2, Samples: 5}
	m.KVCacheUsagePct = &Gauge{Peak: 40, Mean: 30, Samples: 5}
	return m
}

var baseServer = serverSpec{requests: 100, preemptions: 0, promptPerReq: 1024, queueMs: 100, decodeMs: 1000, ttftMs: 150, kvPeak: 71, waitingPeak: 0, runningMean: 48}

func with(s serverSpec, f func(*serverSpec)) serverSpec { f(&s); return s }

// gpu builds a telemetry block of one GPU.
func gpu(smMedian, throttlePct, thermalPct, memMiB float64) *GPUTelemetry {
	return &GPUTelemetry{IntervalMs: 500, GPUs: []GPUStats{{
		Index: 0, Name: "NVIDIA H100 80GB HBM3", Samples: 40,
		SMClockMHz:         &Spread{Min: smMedian - 100, Median: smMedian, Max: smMedian},
		MemoryUsedMiB:      &Spread{Min: memMiB, Median: memMiB, Max: memMiB},
		ThrottlePct:        throttlePct,
		ThermalThrottlePct: thermalPct,
		PowerThrottlePct:   throttlePct - thermalPct,
	}}}
}

func TestExplain(t *testing.T) {
	steady := gpu(1980, 0, 0, 74213)
	tests := []struct {
		name    string
		base    Observation
		cur     Observation
		phrases []string
		suspect string // the reason; empty: not suspect
	}{
		{
			name: "small KV budget: preemptions, KV peak, queue",
			base: Observation{Server: baseServer.block()},
			cur: Observation{Server: with(baseServer, func(s *serverSpec) {
				s.preemptions, s.kvPeak, s.queueMs = 41, 98, 138
			}).block()},
			phrases: []string{"preemptions 0 -> 41", "KV usage peak 71 % -> 98 %", "queue time +38 %"},
		},
		{
			name:    "changes under 10 % are not named",
			base:    Observation{Server: baseServer.block(), GPU: steady},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.queueMs, s.decodeMs, s.kvPeak = 105, 1080, 74 }).block(), GPU: gpu(1950, 2, 0, 74213)},
			phrases: nil,
		},
		{
			name:    "an improvement: shorter queue, fewer preemptions",
			base:    Observation{Server: with(baseServer, func(s *serverSpec) { s.preemptions = 12; s.queueMs = 200 }).block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.preemptions = 0; s.queueMs = 120 }).block()},
			phrases: []string{"preemptions 12 -> 0", "queue time -40 %"},
		},
		{
			name:    "a queue that was empty",
			base:    Observation{Server: with(baseServer, func(s *serverSpec) { s.queueMs = 0 }).block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.queueMs = 12.5; s.waitingPeak = 37 }).block()},
			phrases: []string{"queue time 0 -> 12.5 ms", "waiting requests peak 0 -> 37"},
		},
		{
			name:    "a tenfold queue time reads as values",
			base:    Observation{Server: baseServer.block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.queueMs = 2150 }).block()},
			phrases: []string{"queue time 100 -> 2,150 ms"},
		},
		{
			name:    "server TTFT ranks below server-side causes",
			base:    Observation{Server: baseServer.block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.ttftMs = 300; s.decodeMs = 1500 }).block()},
			phrases: []string{"decode time +50 %", "server TTFT +100 %"},
		},
		{
			name: "gauges sampled fewer than three times are a snapshot, not named",
			base: Observation{Server: baseServer.block()},
			cur: Observation{Server: func() *ServerMetrics {
				m := with(baseServer, func(s *serverSpec) { s.kvPeak, s.waitingPeak = 98, 37 }).block()
				m.KVCacheUsagePct.Samples, m.WaitingRequests.Samples = 2, 1
				return m
			}()},
			phrases: nil,
		},
		{
			name: "llama.cpp: per-token server times, no requests counted",
			base: Observation{Server: llamaServer(0.5, 5, 6, 0)},
			cur:  Observation{Server: llamaServer(0.52, 9, 8, 3)},
			phrases: []string{"waiting requests peak 0 -> 3", "server generation time per token +80 %",
				"running requests mean 6 -> 8"},
		},
		{
			name:    "a different workload",
			base:    Observation{Server: baseServer.block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.promptPerReq = 2048 }).block()},
			phrases: []string{"prompt tokens per request 1,024 -> 2,048"},
		},
		{
			name:    "prefix cache",
			base:    Observation{Server: with(baseServer, func(s *serverSpec) { s.hitPct = f64(80) }).block()},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.hitPct = f64(10) }).block()},
			phrases: []string{"prefix-cache hit rate 80 % -> 10 %"},
		},
		{
			name: "at most three phrases, the largest first",
			base: Observation{Server: baseServer.block()},
			cur: Observation{Server: with(baseServer, func(s *serverSpec) {
				s.preemptions, s.kvPeak, s.queueMs, s.decodeMs, s.runningMean = 41, 98, 300, 1200, 30
			}).block()},
			phrases: []string{"preemptions 0 -> 41", "queue time +200 %", "running requests mean 48 -> 30"},
		},
		{
			name:    "a thermally throttled GPU comes first and makes the point suspect",
			base:    Observation{Server: baseServer.block(), GPU: steady},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.decodeMs = 1400 }).block(), GPU: gpu(1410, 64, 64, 74213)},
			phrases: []string{"GPU 0 throttled (thermal) 64 % of the point, SM clock median 1,410 vs 1,980 MHz", "decode time +40 %"},
			suspect: "GPU 0 throttled (thermal) 64 % of the point, SM clock median 1,410 vs 1,980 MHz",
		},
		{
			name:    "throttled on both sides: not suspect",
			base:    Observation{GPU: gpu(1400, 60, 60, 74213)},
			cur:     Observation{GPU: gpu(1410, 64, 64, 74213)},
			phrases: nil,
		},
		{
			name:    "the baseline was throttled: named, not suspect",
			base:    Observation{GPU: gpu(1410, 64, 0, 74213)},
			cur:     Observation{GPU: steady},
			phrases: []string{"GPU 0 throttled (power) 64 % of the baseline's point, SM clock median 1,980 vs 1,410 MHz"},
		},
		{
			name:    "a clock 11 % lower without a throttle reason is suspect",
			base:    Observation{GPU: steady},
			cur:     Observation{GPU: gpu(1755, 0, 0, 74213)},
			phrases: []string{"GPU 0 SM clock median 1,755 vs 1,980 MHz"},
			suspect: "GPU 0 SM clock median 1,755 vs 1,980 MHz",
		},
		{
			name:    "no baseline telemetry: a throttled GPU is still suspect",
			base:    Observation{},
			cur:     Observation{GPU: gpu(1410, 64, 64, 74213)},
			phrases: []string{"GPU 0 throttled (thermal) 64 % of the point"},
			suspect: "GPU 0 throttled (thermal) 64 % of the point",
		},
		{
			name:    "memory left used by another process",
			base:    Observation{GPU: gpu(1980, 0, 0, 66000)},
			cur:     Observation{GPU: steady},
			phrases: []string{"GPU 0 memory used 74,213 vs 66,000 MiB"},
		},
		{
			name:    "an empty server block on one side gives no server phrases",
			base:    Observation{Server: &ServerMetrics{Note: "server metrics: GET \"http://127.0.0.1:8000/metrics\": 404 Not Found"}},
			cur:     Observation{Server: with(baseServer, func(s *serverSpec) { s.preemptions = 41 }).block()},
			phrases: nil,
		},
		{
			name:    "nothing observed",
			phrases: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Explain(tt.base, tt.cur)
			if !slices.Equal(h.Phrases, tt.phrases) {
				t.Errorf("phrases\n got %q\nwant %q", h.Phrases, tt.phrases)
			}
			if h.Suspect != (tt.suspect != "") || h.SuspectReason != tt.suspect {
				t.Errorf("suspect %v %q, want %q", h.Suspect, h.SuspectReason, tt.suspect)
			}
			if h.String() != strings.Join(tt.phrases, ", ") {
				t.Errorf("String() = %q", h.String())
			}
		})
	}
}

func TestExplainRecordedTelemetry(t *testing.T) {
	steady, _ := summarizeGPUs(readSamples(t, "telemetry-h100x2-steady.csv"), "")
	thermal, _ := summarizeGPUs(readSamples(t, "telemetry-h100x2-thermal.csv"), "")
	h := Explain(Observation{GPU: &GPUTelemetry{GPUs: steady}}, Observation{GPU: &GPUTelemetry{GPUs: thermal}})
	want := "GPU 0 throttled (thermal) 64 % of the point, SM clock median 1,410 vs 1,980 MHz"
	if !h.Suspect || h.String() != want {
		t.Errorf("hints %q suspect %v, want %q and suspect", h.String(), h.Suspect, want)
	}
}

func TestFmtNum(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{1410, "1,410"}, {102400, "102,400"}, {-2500, "-2,500"}, {41, "41"}, {0, "0"},
		{12.5, "12.5"}, {12.04, "12"}, {7.25, "7.25"}, {0.41, "0.41"}, {0.0123, "0.012"}, {999.6, "1,000"},
		{math.Inf(1), "n/a"}, {math.NaN(), "n/a"},
	} {
		if got := fmtNum(tt.v); got != tt.want {
			t.Errorf("fmtNum(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
