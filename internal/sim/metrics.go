package sim

import (
	"strconv"
	"strings"
	"sync"
)

// histogram is a Prometheus histogram with fixed upper bounds. It is not
// safe for concurrent use; engineMetrics guards it.
type histogram struct {
	bounds []float64 // shared, never written
	counts []uint64  // per bound, not cumulative
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) observe(v float64) {
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += v
	h.count++
}

// clone returns a copy that shares only the bounds.
func (h histogram) clone() histogram {
	h.counts = append([]uint64(nil), h.counts...)
	return h
}

// Bucket bounds, as vLLM's PrometheusStatLogger (vllm/v1/metrics/loggers.py)
// declares them.

// ttftBucketsS are the bounds of vllm:time_to_first_token_seconds.
func ttftBucketsS() []float64 {
	return []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
		0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0}
}

// tokenLatencyBucketsS are the bounds of vllm:inter_token_latency_seconds
// and vllm:request_time_per_output_token_seconds.
func tokenLatencyBucketsS() []float64 {
	return []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
		0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0}
}

// requestLatencyBucketsS are the bounds of the per-request intervals: e2e,
// queue, prefill, decode and inference time.
func requestLatencyBucketsS() []float64 {
	return []float64{0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
		30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0}
}

// iterationTokenBuckets are the bounds of vllm:iteration_tokens_total.
func iterationTokenBuckets() []float64 {
	return []float64{1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384}
}

// stepLagBucketsS are the bounds of sim:step_lag_seconds (wall seconds).
func stepLagBucketsS() []float64 {
	return []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}
}

// engineStats is what one replica reports on /metrics. Request intervals
// are simulated seconds, what a real server on the simulated GPU would
// report; the sim: figures are wall seconds of this process.
type engineStats struct {
	running, waiting int
	kvUsage          float64 // share of KV blocks in use

	promptTokens     float64
	generationTokens float64
	preemptions      float64
	prefixQueries    float64
	prefixHits       float64
	successStop      float64
	successLength    float64

	iterationTokens histogram
	ttft            histogram
	itl             histogram
	requestTPOT     histogram
	e2e             histogram
	queue           histogram
	prefill         histogram
	decode          histogram
	inference       histogram

	steps     float64 // steps released
	lateSteps float64 // steps released later than lateLag allows
	lagS      float64 // lag of the latest step
	stepLag   histogram
}

// engineMetrics guards the stats of one replica: its loop writes them once
// per step, /metrics and the stats log read them.
type engineMetrics struct {
	mu sync.Mutex
	st engineStats
}

func newEngineMetrics() *engineMetrics {
	return &engineMetrics{st: engineStats{
		iterationTokens: newHistogram(iterationTokenBuckets()),
		ttft:            newHistogram(ttftBucketsS()),
		itl:             newHistogram(tokenLatencyBucketsS()),
		requestTPOT:     newHistogram(tokenLatencyBucketsS()),
		e2e:             newHistogram(requestLatencyBucketsS()),
		queue:           newHistogram(requestLatencyBucketsS()),
		prefill:         newHistogram(requestLatencyBucketsS()),
		decode:          newHistogram(requestLatencyBucketsS()),
		inference:       newHistogram(requestLatencyBucketsS()),
		stepLag:         newHistogram(stepLagBucketsS()),
	}}
}

// recordStep adds one step's outcome: token counts, first-token and
// inter-token latencies, finished requests and preemptions.
func (st *engineStats) recordStep(res *stepResult) {
	st.iterationTokens.observe(float64(res.tokens))
	st.preemptions += float64(res.preempted)
	st.prefixQueries += float64(res.prefixQueries)
	st.generationTokens += float64(len(res.emitted))
	for _, s := range res.emitted {
		if s.generated == 1 {
			st.promptTokens += float64(s.promptTokens)
			st.ttft.observe(max(0, s.firstTokenS-s.arrivalS))
		} else {
			st.itl.observe(s.itlS)
		}
	}
	for _, s := range res.finished {
		if s.finishReason() == "length" {
			st.successLength++
		} else {
			st.successStop++
		}
		st.e2e.observe(max(0, s.e2eS()))
		st.queue.observe(max(0, s.queueS()))
		st.prefill.observe(s.prefillS())
		st.decode.observe(s.decodeS())
		st.inference.observe(s.inferenceS())
		st.requestTPOT.observe(s.tpotS())
	}
}

// recordLag adds how late (wall seconds) a step's tokens left.
func (st *engineStats) recordLag(lagS float64, late bool) {
	st.steps++
	if late {
		st.lateSteps++
	}
	st.lagS = lagS
	st.stepLag.observe(lagS)
}

// snapshot returns a copy of the stats that the caller may read freely.
func (m *engineMetrics) snapshot() engineStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	for _, h := range []*histogram{&st.iterationTokens, &st.ttft, &st.itl, &st.requestTPOT, &st.e2e,
		&st.queue, &st.prefill, &st.decode, &st.inference, &st.stepLag} {
		*h = h.clone()
	}
	return st
}

// metricsWriter renders the Prometheus text exposition format (version
// 0.0.4) the way Python's prometheus_client does for vLLM: HELP and TYPE
// once per family, counters named with _total, labels sorted by name, one
// series per engine (data-parallel replica).
type metricsWriter struct {
	b       strings.Builder
	model   string // escaped
	engines []engineStats
}

// writeMetrics renders the metrics of every replica of a server that
// serves model.
func writeMetrics(model string, engines []engineStats) string {
	w := &metricsWriter{model: escapeLabel(model), engines: engines}
	w.gauge("vllm:num_requests_running", "Number of requests in model execution batches.",
		func(st *engineStats) float64 { return float64(st.running) })
	w.gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.",
		func(st *engineStats) float64 { return float64(st.waiting) })
	w.gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.",
		func(st *engineStats) float64 { return st.kvUsage })
	w.counter("vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.",
		func(st *engineStats) float64 { return st.prefixQueries })
	w.counter("vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.",
		func(st *engineStats) float64 { return st.prefixHits })
	w.counter("vllm:num_preemptions_total", "Cumulative number of preemption from the engine.",
		func(st *engineStats) float64 { return st.preemptions })
	w.counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.",
		func(st *engineStats) float64 { return st.promptTokens })
	w.counter("vllm:generation_tokens_total", "Number of generation tokens processed.",
		func(st *engineStats) float64 { return st.generationTokens })
	w.header("vllm:request_success_total", "counter", "Count of successfully processed requests.")
	for i := range w.engines {
		st := &w.engines[i]
		for _, r := range []struct {
			reason string
			n      float64
		}{{"abort", 0}, {"length", st.successLength}, {"stop", st.successStop}} {
			w.sample("vllm:request_success_total", i, `finished_reason="`+r.reason+`"`, r.n)
		}
	}
	w.histogram("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.",
		func(st *engineStats) *histogram { return &st.iterationTokens })
	w.histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
		func(st *engineStats) *histogram { return &st.ttft })
	w.histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
		func(st *engineStats) *histogram { return &st.itl })
	w.histogram("vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.",
		func(st *engineStats) *histogram { return &st.requestTPOT })
	w.histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
		func(st *engineStats) *histogram { return &st.e2e })
	w.histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
		func(st *engineStats) *histogram { return &st.queue })
	w.histogram("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.",
		func(st *engineStats) *histogram { return &st.inference })
	w.histogram("vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.",
		func(st *engineStats) *histogram { return &st.prefill })
	w.histogram("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.",
		func(st *engineStats) *histogram { return &st.decode })

	w.gauge("sim:loop_lag_seconds", "Wall seconds by which the latest step's tokens left after their due time.",
		func(st *engineStats) float64 { return st.lagS })
	w.counter("sim:steps_total", "Engine steps whose tokens were released.",
		func(st *engineStats) float64 { return st.steps })
	w.counter("sim:late_steps_total", "Steps whose tokens left later than a quarter of the step (at least 100 us): the loop could not keep up.",
		func(st *engineStats) float64 { return st.lateSteps })
	w.histogram("sim:step_lag_seconds", "Histogram of the wall seconds by which steps' tokens left after their due time.",
		func(st *engineStats) *histogram { return &st.stepLag })
	return w.b.String()
}

func (w *metricsWriter) header(name, typ, help string) {
	w.b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
}

// sample writes one series of engine i; extra is a label that sorts
// between engine and model_name (finished_reason, le), or "".
func (w *metricsWriter) sample(name string, i int, extra string, v float64) {
	w.b.WriteString(name)
	w.b.WriteString(`{engine="`)
	w.b.WriteString(strconv.Itoa(i))
	w.b.WriteString(`",`)
	if extra != "" {
		w.b.WriteString(extra)
		w.b.WriteByte(',')
	}
	w.b.WriteString(`model_name="`)
	w.b.WriteString(w.model)
	w.b.WriteString(`"} `)
	w.b.WriteString(fmtFloat(v))
	w.b.WriteByte('\n')
}

func (w *metricsWriter) gauge(name, help string, value func(*engineStats) float64) {
	w.header(name, "gauge", help)
	for i := range w.engines {
		w.sample(name, i, "", value(&w.engines[i]))
	}
}

func (w *metricsWriter) counter(name, help string, value func(*engineStats) float64) {
	w.header(name, "counter", help)
	for i := range w.engines {
		w.sample(name, i, "", value(&w.engines[i]))
	}
}

func (w *metricsWriter) histogram(name, help string, hist func(*engineStats) *histogram) {
	w.header(name, "histogram", help)
	for i := range w.engines {
		h := hist(&w.engines[i])
		var cum uint64
		for j, b := range h.bounds {
			cum += h.counts[j]
			w.sample(name+"_bucket", i, `le="`+fmtFloat(b)+`"`, float64(cum))
		}
		w.sample(name+"_bucket", i, `le="+Inf"`, float64(h.count))
		w.sample(name+"_count", i, "", float64(h.count))
		w.sample(name+"_sum", i, "", h.sum)
	}
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
