package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

// probedPairs are the golden sweep's unchanged, regressed and improved
// points with server metrics and GPU telemetry: the regression ran on a
// thermally throttled GPU that preempted, the improvement lost its queue.
func probedPairs() []baseline.Pair {
	gpuBlock := func(smMHz, thermalPct float64) *probe.GPUTelemetry {
		return &probe.GPUTelemetry{IntervalMs: 500, GPUs: []probe.GPUStats{{Index: 0, Name: gpu, Samples: 40,
			SMClockMHz: &probe.Spread{Min: smMHz, Median: smMHz, Max: smMHz}, ThermalThrottlePct: thermalPct, ThrottlePct: thermalPct}}}
	}
	server := func(preemptions, queueMs float64) *probe.ServerMetrics {
		per := preemptions / 200
		return &probe.ServerMetrics{Source: "vllm", Rounds: 2, Scrapes: 8, Requests: &probe.Counter{Delta: 200},
			Preemptions: &probe.Counter{Delta: preemptions, PerRequest: &per},
			QueueTime:   &probe.Timing{Count: 200, SumS: queueMs / 5, MeanMs: queueMs}}
	}
	ps := gatetest.GoldenPairs()[:3]
	for _, p := range ps {
		p.Baseline.VllmBench.GPUTelemetry, p.Baseline.VllmBench.ServerMetrics = gpuBlock(1980, 0), server(0, 10)
		p.Current.File.VllmBench.GPUTelemetry, p.Current.File.VllmBench.ServerMetrics = gpuBlock(1980, 0), server(0, 10)
	}
	ps[1].Current.File.VllmBench.GPUTelemetry, ps[1].Current.File.VllmBench.ServerMetrics = gpuBlock(1410, 64), server(41, 13.8)
	ps[2].Current.File.VllmBench.ServerMetrics = server(0, 4)
	return ps
}

func TestHintsAndThrottleRendered(t *testing.T) {
	const throttled = "GPU 0 throttled (thermal) 64 % of the point, SM clock median 1,410 vs 1,980 MHz"
	r := New(gate.Compare(probedPairs(), gate.Options{Seed: 1}))
	md, txt := r.Markdown(), r.Text()
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "throttle.md", md)
	golden(t, "throttle.txt", txt)
	golden(t, "throttle.json", string(js)+"\n")

	if !tableHasRow(md, "| ❌ C32 "+throttledMark+" ", "+24.8% ❌ |") {
		t.Errorf("markdown has no table row for the suspect regression:\n%s", md)
	}
	for _, want := range []string{
		"## ⚠️ 1 regression on a throttled GPU, a warning: llama-7b TP1 · C32 · median TTFT +24.8%",
		"🌡️ 1 regression measured on a throttled GPU: a warning, not a failure (gate.on_throttle: warn).",
		"- ❌ C32, server and GPU: " + throttled + ", preemptions 0 -> 41, queue time +38 %",
		"- 🟢 C64, server and GPU: queue time -60 %",
		"- 🌡️ C32 measured on a throttled GPU: " + throttled + "; its regression is a warning, not a failure (gate.on_throttle: warn)",
		"🌡️ suspect (measured on a throttled GPU)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, want := range []string{
		"C32 regression: " + throttled + ", preemptions 0 -> 41, queue time +38 %",
		"C64 improvement: queue time -60 %",
		"throttled GPU:",
		"its regression is a warning, not a failure (gate.on_throttle: warn)",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	var out struct {
		Verdict     string `json:"verdict"`
		Regressions int    `json:"regressions"`
		Waived      int    `json:"waived_regressions"`
		Points      []struct {
			Verdict        string   `json:"verdict"`
			Hints          []string `json:"hints"`
			Throttled      string   `json:"throttled"`
			ThrottleWaived bool     `json:"throttle_waived"`
		} `json:"points"`
	}
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatal(err)
	}
	if out.Verdict != gate.VerdictPass || out.Regressions != 0 || out.Waived != 1 || len(out.Points) != 3 {
		t.Fatalf("json: %+v", out)
	}
	if p := out.Points[1]; p.Throttled != throttled || !p.ThrottleWaived || len(p.Hints) != 3 {
		t.Errorf("json regressed point: %+v", p)
	}
	if p := out.Points[0]; p.Hints != nil || p.Throttled != "" {
		t.Errorf("json unchanged point: %+v, want no hints", p)
	}
	if ann, warn := r.Annotations(), r.WarningAnnotations(); len(ann) != 0 || len(warn) != 1 || !strings.Contains(warn[0], "median_ttft_ms regressed +") || !strings.Contains(warn[0], throttled) {
		t.Errorf("errors %q warnings %q, want the throttled regression as one warning", ann, warn)
	}
}

func TestThrottleFailsWhenConfigured(t *testing.T) {
	s := gate.Defaults()
	s.OnThrottle = gate.OnThrottleFail
	r := New(gate.Compare(probedPairs(), gate.Options{Seed: 1, Default: &s}))
	md := r.Markdown()
	if r.OK() || !strings.Contains(md, "## ❌ 1 regression in 1 point: llama-7b TP1 · C32 · median TTFT +24.8%") || !strings.Contains(md, "its regression fails the check (gate.on_throttle: fail)") {
		t.Errorf("on_throttle: fail: ok %v\n%s", r.OK(), md)
	}
	if len(r.Annotations()) != 1 || len(r.WarningAnnotations()) != 0 {
		t.Errorf("errors %q warnings %q, want one error", r.Annotations(), r.WarningAnnotations())
	}
}

// tableHasRow reports whether a line of md holds every cell, in order.
func tableHasRow(md string, cells ...string) bool {
	for _, line := range strings.Split(md, "\n") {
		rest, ok := line, true
		for _, c := range cells {
			i := strings.Index(rest, c)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(c):]
		}
		if ok {
			return true
		}
	}
	return false
}
