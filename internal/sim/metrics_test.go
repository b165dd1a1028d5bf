package sim

import (
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// series is one parsed sample line.
type series struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$`)
	labelPair  = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$`)
)

// parseExposition checks text against the Prometheus text format as
// prometheus_client writes it (HELP then TYPE once per family, every sample
// of a family right after its TYPE, sorted labels, _total counters,
// histograms with cumulative buckets ending in le="+Inf" equal to _count)
// and returns the families' types and the samples.
func parseExposition(t *testing.T, text string) (types map[string]string, samples []series) {
	t.Helper()
	types = map[string]string{}
	family, help := "", ""
	if !strings.HasSuffix(text, "\n") {
		t.Error("the exposition must end with a newline")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("line %d %q: "+format, append([]any{i + 1, line}, args...)...)
		}
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, text, _ := strings.Cut(rest, " ")
			if _, dup := types[name]; dup || text == "" {
				fail("duplicate family or empty help")
			}
			help = name
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if name != help {
				fail("TYPE without its HELP line")
			}
			if typ != "gauge" && typ != "counter" && typ != "histogram" {
				fail("unknown type %q", typ)
			}
			if typ == "counter" && !strings.HasSuffix(name, "_total") {
				fail("a counter's name must end in _total")
			}
			types[name] = typ
			family = name
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			fail("not a sample line")
			continue
		}
		s := series{name: m[1], labels: map[string]string{}}
		var err error
		if s.value, err = strconv.ParseFloat(m[3], 64); err != nil {
			fail("value: %v", err)
		}
		var names []string
		for _, pair := range strings.Split(m[2], ",") {
			lm := labelPair.FindStringSubmatch(pair)
			if lm == nil {
				fail("label %q", pair)
				continue
			}
			s.labels[lm[1]] = lm[2]
			names = append(names, lm[1])
		}
		if !slices.IsSorted(names) || s.labels["model_name"] == "" || s.labels["engine"] == "" {
			fail("labels must be sorted and carry model_name and engine")
		}
		want := []string{family}
		if types[family] == "histogram" {
			want = []string{family + "_bucket", family + "_count", family + "_sum"}
		}
		if !slices.Contains(want, s.name) {
			fail("sample outside its family %q", family)
		}
		samples = append(samples, s)
	}
	// Histograms: cumulative buckets per engine, ending at +Inf = _count.
	for name, typ := range types {
		if typ != "histogram" {
			continue
		}
		byEngine := map[string][]series{}
		count := map[string]float64{}
		for _, s := range samples {
			switch s.name {
			case name + "_bucket":
				byEngine[s.labels["engine"]] = append(byEngine[s.labels["engine"]], s)
			case name + "_count":
				count[s.labels["engine"]] = s.value
			}
		}
		for eng, bs := range byEngine {
			prevLe, prevN := math.Inf(-1), 0.0
			for _, b := range bs {
				le, err := strconv.ParseFloat(b.labels["le"], 64)
				if err != nil || le <= prevLe || b.value < prevN {
					t.Errorf("%s engine %s: bucket le=%q count %g after le=%g count %g", name, eng, b.labels["le"], b.value, prevLe, prevN)
				}
				prevLe, prevN = le, b.value
			}
			if last := bs[len(bs)-1]; last.labels["le"] != "+Inf" || last.value != count[eng] {
				t.Errorf("%s engine %s: last bucket le=%q %g, want +Inf equal to _count %g", name, eng, last.labels["le"], last.value, count[eng])
			}
		}
	}
	return types, samples
}

// total sums a sample over engines (and other labels).
func total(samples []series, name string) float64 {
	sum := 0.0
	for _, s := range samples {
		if s.name == name {
			sum += s.value
		}
	}
	return sum
}

// TestMetricsUnderPreemption drives two replicas whose KV budget
// (--sim-kv-tokens 1024) holds two of the eight concurrent requests, and
// checks /metrics: vLLM's names, types and bucket layouts in valid text
// format, one series per engine, preemptions counted, token and request
// counts exact, and the request intervals adding up as vLLM defines them
// (e2e = queue + prefill + decode, inference = prefill + decode).
func TestMetricsUnderPreemption(t *testing.T) {
	s, url := startTestServer(t, "m", "-dp", "2", "--sim-speedup", "10", "--sim-kv-tokens", "1024",
		"--max-model-len", "1024", "--sim-run-cv", "0")
	const requests, prompt, output = 8, 100, 400
	var wg sync.WaitGroup
	for i := 0; i < requests; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := post(t, url+"/v1/completions", map[string]any{"prompt": ids(prompt, i), "max_tokens": output, "ignore_eos": true}); code != 200 {
				t.Errorf("request %d: %d %s", i, code, body)
			}
		}()
	}
	wg.Wait()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	types, samples := parseExposition(t, string(body))
	for name, typ := range map[string]string{
		"vllm:num_requests_running": "gauge", "vllm:num_requests_waiting": "gauge", "vllm:kv_cache_usage_perc": "gauge",
		"vllm:num_preemptions_total": "counter", "vllm:prompt_tokens_total": "counter", "vllm:generation_tokens_total": "counter",
		"vllm:request_success_total": "counter", "vllm:prefix_cache_queries_total": "counter", "vllm:prefix_cache_hits_total": "counter",
		"vllm:time_to_first_token_seconds": "histogram", "vllm:inter_token_latency_seconds": "histogram",
		"vllm:e2e_request_latency_seconds": "histogram", "vllm:request_queue_time_seconds": "histogram",
		"vllm:request_prefill_time_seconds": "histogram", "vllm:request_decode_time_seconds": "histogram",
		"vllm:request_inference_time_seconds": "histogram", "vllm:request_time_per_output_token_seconds": "histogram",
		"vllm:iteration_tokens_total": "histogram",
		"sim:loop_lag_seconds":        "gauge", "sim:steps_total": "counter", "sim:late_steps_total": "counter", "sim:step_lag_seconds": "histogram",
	} {
		if types[name] != typ {
			t.Errorf("%s: type %q, want %q", name, types[name], typ)
		}
	}
	engines := map[string]bool{}
	buckets := map[string]int{}
	for _, sm := range samples {
		engines[sm.labels["engine"]] = true
		if sm.labels["engine"] == "0" && strings.HasSuffix(sm.name, "_bucket") {
			buckets[strings.TrimSuffix(sm.name, "_bucket")]++
		}
	}
	if len(engines) != 2 || !engines["0"] || !engines["1"] {
		t.Errorf("engines %v, want 0 and 1 (one per data-parallel replica)", engines)
	}
	// vLLM's layouts, +Inf included: 22 TTFT bounds, 19 for the per-token
	// pair, 21 for the request intervals, 13 for iteration tokens.
	for name, want := range map[string]int{
		"vllm:time_to_first_token_seconds": 23, "vllm:inter_token_latency_seconds": 20,
		"vllm:request_time_per_output_token_seconds": 20, "vllm:e2e_request_latency_seconds": 22,
		"vllm:request_queue_time_seconds": 22, "vllm:request_prefill_time_seconds": 22,
		"vllm:request_decode_time_seconds": 22, "vllm:request_inference_time_seconds": 22,
		"vllm:iteration_tokens_total": 14,
	} {
		if buckets[name] != want {
			t.Errorf("%s: %d buckets, want %d", name, buckets[name], want)
		}
	}
	exact := map[string]float64{
		"vllm:prompt_tokens_total":                requests * prompt,
		"vllm:generation_tokens_total":            requests * output,
		"vllm:request_success_total":              requests,
		"vllm:time_to_first_token_seconds_count":  requests,
		"vllm:inter_token_latency_seconds_count":  requests * (output - 1),
		"vllm:e2e_request_latency_seconds_count":  requests,
		"vllm:request_queue_time_seconds_count":   requests,
		"vllm:num_requests_running":               0,
		"vllm:num_requests_waiting":               0,
		"vllm:kv_cache_usage_perc":                0,
		"vllm:prefix_cache_hits_total":            0,
		"vllm:request_decode_time_seconds_count":  requests,
		"vllm:request_prefill_time_seconds_count": requests,
	}
	for name, want := range exact {
		if got := total(samples, name); got != want {
			t.Errorf("%s = %g, want %g", name, got, want)
		}
	}
	if p := total(samples, "vllm:num_preemptions_total"); p == 0 {
		t.Error("vllm:num_preemptions_total is 0; eight 500-token requests on 1024-token caches must preempt")
	}
	if q := total(samples, "vllm:prefix_cache_queries_total"); q < requests*prompt {
		t.Errorf("prefix cache queries %g, want at least the %d prompt tokens (more after recompute)", q, requests*prompt)
	}
	e2e, queue := total(samples, "vllm:e2e_request_latency_seconds_sum"), total(samples, "vllm:request_queue_time_seconds_sum")
	prefill, decode := total(samples, "vllm:request_prefill_time_seconds_sum"), total(samples, "vllm:request_decode_time_seconds_sum")
	inference := total(samples, "vllm:request_inference_time_seconds_sum")
	if math.Abs(e2e-(queue+prefill+decode)) > 1e-9*e2e || math.Abs(inference-(prefill+decode)) > 1e-9*inference || queue <= 0 {
		t.Errorf("intervals do not add up: e2e %g, queue %g + prefill %g + decode %g; inference %g", e2e, queue, prefill, decode, inference)
	}
	if st := total(samples, "sim:steps_total"); st < output {
		t.Errorf("sim:steps_total %g, want at least %d", st, output)
	}
	if s.totals().generationTokens != requests*output {
		t.Errorf("stats log totals disagree with /metrics")
	}
}
