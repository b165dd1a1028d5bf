package sim

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// histogram is a Prometheus histogram with fixed upper bounds.
type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // per bound, not cumulative
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += v
	h.count++
}

// ttftBucketsS are vLLM's bucket bounds for time to first token.
func ttftBucketsS() []float64 {
	return []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
		0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0}
}

// e2eBucketsS are vLLM's bucket bounds for end-to-end request latency.
func e2eBucketsS() []float64 {
	return []float64{0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
		30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0}
}

// metrics holds the server's Prometheus counters. Durations are simulated
// seconds, i.e. what a real server on the simulated GPU would report.
type metrics struct {
	promptTokens     atomic.Int64
	generationTokens atomic.Int64
	successStop      atomic.Int64
	successLength    atomic.Int64
	ttft             *histogram
	e2e              *histogram
}

func newMetrics() *metrics {
	return &metrics{ttft: newHistogram(ttftBucketsS()), e2e: newHistogram(e2eBucketsS())}
}

func (m *metrics) observeFirstToken(ttftS float64) { m.ttft.observe(math.Max(0, ttftS)) }

func (m *metrics) observeFinished(s *sequence) {
	if s.finishReason() == "length" {
		m.successLength.Add(1)
	} else {
		m.successStop.Add(1)
	}
	m.e2e.observe(math.Max(0, s.finishS-s.arrivalS))
}

// gauges are the engine state summed over replicas.
type gauges struct {
	running, waiting int64
	kvUsage          float64 // mean over replicas
}

// write writes the Prometheus text exposition format.
func (m *metrics) write(w io.Writer, model string, g gauges) {
	label := `model_name="` + escapeLabel(model) + `"`
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s{%s} %s\n", name, help, name, name, label, fmtFloat(v))
	}
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s{%s} %s\n", name, help, name, name, label, fmtFloat(float64(v)))
	}
	gauge("vllm:num_requests_running", "Number of requests in model execution batches.", float64(g.running))
	gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", float64(g.waiting))
	gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", g.kvUsage)
	counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.", m.promptTokens.Load())
	counter("vllm:generation_tokens_total", "Number of generation tokens processed.", m.generationTokens.Load())
	fmt.Fprintf(w, "# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n")
	fmt.Fprintf(w, "vllm:request_success_total{finished_reason=\"length\",%s} %s\n", label, fmtFloat(float64(m.successLength.Load())))
	fmt.Fprintf(w, "vllm:request_success_total{finished_reason=\"stop\",%s} %s\n", label, fmtFloat(float64(m.successStop.Load())))
	m.ttft.write(w, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", label)
	m.e2e.write(w, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", label)
}

func (h *histogram) write(w io.Writer, name, help, label string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\",%s} %s\n", name, fmtFloat(b), label, fmtFloat(float64(cum)))
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\",%s} %s\n", name, label, fmtFloat(float64(h.count)))
	fmt.Fprintf(w, "%s_sum{%s} %s\n", name, label, fmtFloat(h.sum))
	fmt.Fprintf(w, "%s_count{%s} %s\n", name, label, fmtFloat(float64(h.count)))
}

// fmtFloat prints a sample value the way Python's prometheus_client does
// (always with a decimal point).
func fmtFloat(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	for _, c := range s {
		if c == '.' || c == 'e' || c == 'I' || c == 'N' {
			return s
		}
	}
	return s + ".0"
}

// escapeLabel escapes a Prometheus label value.
func escapeLabel(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}
