package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

func TestSaturatedClientRendered(t *testing.T) {
	// The golden sweep's TTFT regression at CTX512 C32, measured by a
	// saturated client.
	pairs := goldenPairs()
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
	want := "this run's client saturated (scheduling lag p99 8.00 ms > 1.00 ms): latencies are suspect"
	md := r.Markdown()
	if !strings.Contains(md, "### ⏱️ Measured by a saturated client (1)") || !strings.Contains(md, want) ||
		!strings.Contains(md, "(1 latency regression not counted)") || !strings.Contains(md, "❌ "+suspectMark) {
		t.Errorf("markdown lacks the saturated client:\n%s", md)
	}
	if txt := r.Text(); !strings.Contains(txt, "warning: measured by a saturated client:") || !strings.Contains(txt, "regression ("+suspectMark+")") {
		t.Errorf("text lacks the saturated client:\n%s", txt)
	}
	for _, a := range r.Annotations() {
		if strings.Contains(a, "median_ttft_ms regressed") {
			t.Errorf("a suspect regression is annotated as an error: %s", a)
		}
	}
	if warn := r.WarningAnnotations(); len(warn) != 1 || !strings.Contains(warn[0], "median_ttft_ms regressed +") || !strings.Contains(warn[0], "suspect, not counted") {
		t.Errorf("warning annotations %q, want one for the suspect regression", warn)
	}
	if !strings.Contains(md, "⏱️ 1 latency regression measured by a saturated client: suspect, not counted.") {
		t.Errorf("markdown lacks the summary line:\n%s", md)
	}
	data, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		SuspectRegressions int `json:"suspect_regressions"`
		Points             []struct {
			Name            string `json:"name"`
			ClientSaturated string `json:"client_saturated"`
			Cells           []struct {
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
		if (p.ClientSaturated != "") != saturated {
			t.Errorf("json %s: client_saturated %q", p.Name, p.ClientSaturated)
		}
		for _, c := range p.Cells {
			if c.Suspect != (saturated && strings.HasSuffix(c.Metric, "_ms")) {
				t.Errorf("json %s %s: suspect %v", p.Name, c.Metric, c.Suspect)
			}
		}
	}
}
