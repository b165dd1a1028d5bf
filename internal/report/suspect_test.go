package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

func TestSaturatedClientRendered(t *testing.T) {
	// The golden sweep's TTFT regression at CTX512 C32, measured by a
	// saturated client.
	pairs := gatetest.GoldenPairs()
	h := probe.ClientHealth{SchedLagP99Ms: 8, LagSamples: 500, GOMAXPROCS: 2}
	h.Judge(10)
	var name string
	for _, p := range pairs {
		if strings.Contains(p.Current.Name, "CTX512_C32_") {
			p.Current.File.VllmBench.Client = &h
			name = p.Current.Name
		}
	}
	r := New(gate.Compare(pairs, gate.Options{Seed: 1}))
	if r.Regressions() != 0 || r.SuspectRegressions() != 1 {
		t.Fatalf("%d regressions, %d suspect; want 0 and 1", r.Regressions(), r.SuspectRegressions())
	}
	want := "this run's saturated client: client saturated (scheduling lag p99 8 ms > 1 ms): latencies are suspect (1 regression not counted)"
	md := r.Markdown()
	for _, part := range []string{
		"⏱️ 1 regression on suspect measurements: listed under \"suspect\", not counted.",
		"+24.8% ❌ ⏱️", // the TTFT cell
		"- ⏱️ CTX512 C32 " + want,
		"### Suspect, not counted\n\n- ⏱️ llama-7b TP1 · CTX512 C32 · median TTFT +24.8% (regression): this run's saturated client",
		suspectLegend,
	} {
		if !strings.Contains(md, part) {
			t.Errorf("markdown lacks %q:\n%s", part, md)
		}
	}
	txt := r.Text()
	for _, part := range []string{
		"1 regression on suspect measurements: listed under \"suspect\", not counted.",
		"regression (suspect)",
		"median TTFT 80.40 → 100.3 ms +24.8% [+22.4%, +27.1%] (suspect, not counted)",
		"suspect, not counted:\n  llama-7b TP1 · CTX512 C32 · median TTFT +24.8% (regression): this run's saturated client",
	} {
		if !strings.Contains(txt, part) {
			t.Errorf("text lacks %q:\n%s", part, txt)
		}
	}
	for _, a := range r.Annotations() {
		if strings.Contains(a, "median_ttft_ms regressed") {
			t.Errorf("a suspect regression is annotated as an error: %s", a)
		}
	}
	if warn := r.WarningAnnotations(); len(warn) != 1 || !strings.Contains(warn[0], "median_ttft_ms regressed +") || !strings.Contains(warn[0], "suspect, not counted") {
		t.Errorf("warning annotations %q, want one for the suspect regression", warn)
	}
	data, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		SuspectRegressions int `json:"suspect_regressions"`
		Points             []struct {
			Name    string `json:"name"`
			Suspect string `json:"suspect"`
			Cells   []struct {
				Metric  string `json:"metric"`
				Suspect bool   `json:"suspect"`
			} `json:"cells"`
		} `json:"points"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.SuspectRegressions != 1 {
		t.Errorf("json suspect_regressions = %d, want 1", out.SuspectRegressions)
	}
	for _, p := range out.Points {
		saturated := p.Name == name
		if (p.Suspect != "") != saturated {
			t.Errorf("json %s: suspect %q", p.Name, p.Suspect)
		}
		for _, c := range p.Cells {
			if c.Suspect != (saturated && strings.HasSuffix(c.Metric, "_ms")) {
				t.Errorf("json %s %s: suspect %v", p.Name, c.Metric, c.Suspect)
			}
		}
	}
}
