package report

import (
	"encoding/json"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

// A report of an interrupted sweep gives no verdict in any format, even
// when what it measured looks clean.
func TestNoVerdictHeadline(t *testing.T) {
	g := gate.Compare(sweepOf(nil, 0), gate.Options{Seed: 1})
	if !strings.HasPrefix(New(g).Text(), "✅") {
		t.Fatalf("the clean sweep should pass before it is marked interrupted:\n%s", New(g).Text())
	}
	g.NoVerdict = "interrupted"
	r := New(g)
	text, md := r.Text(), r.Markdown()
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text, "markdown": md, "json": string(js)} {
		if strings.Contains(out, "✅") || !strings.Contains(out, "interrupted: no verdict") {
			t.Errorf("%s: want no ✅ and \"interrupted: no verdict\":\n%s", name, out)
		}
	}
	var out struct {
		Verdict  string   `json:"verdict"`
		Headline []string `json:"headline"`
	}
	if err := json.Unmarshal(js, &out); err != nil || out.Verdict != gate.VerdictError || len(out.Headline) != 1 {
		t.Errorf("json verdict %q headline %q (%v), want error and one line", out.Verdict, out.Headline, err)
	}
	if o := gate.Combine([]*gate.Report{g}, nil); o.OK() || o.Verdict != gate.VerdictError {
		t.Errorf("combined verdict %s, want error", o.Verdict)
	}
}

// All undecided is never a pass in words: the headline says undecided and
// what could not be detected, with the reason.
func TestAllUndecidedHeadline(t *testing.T) {
	ps := sweepOf(nil, 0)
	for i := range ps {
		ps[i].History = nil // no history: the prior's noise
	}
	r := New(gate.Compare(ps, gate.Options{Seed: 1}))
	head := r.headlines(r.labeler())
	if len(head) != 2 || !strings.HasPrefix(head[0], "⚠️ undecided: no regression found, and none of 12 cells in 4 points") {
		t.Fatalf("headlines %q", head)
	}
	if !strings.Contains(head[1], "Could not detect changes under 67% median TTFT, 29% median TPOT and 13% output throughput") ||
		!strings.Contains(head[1], "no run-to-run history yet") {
		t.Errorf("unseen line %q", head[1])
	}
}

// Baseline points the config does not plan are named in every format, as
// a note that does not fail the report.
func TestNotMeasuredListed(t *testing.T) {
	g := gate.Compare(sweepOf(nil, 0), gate.Options{Seed: 1})
	row := g.Rows()[0]
	p := row.Point
	p.ContextSize = 2048
	g.NotMeasured = []baseline.Missing{{Name: "x", Server: g.Groups[0].Server, Point: p, Reason: "in the baselines, not planned by this config"}}
	r := New(g)
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := "Not measured by this config: 1 point in the baselines (llama-7b · TP1 DP1 CTX2048 C8 P200 O128)"
	if !strings.Contains(r.Text(), want) || !strings.Contains(r.Markdown(), want) || !strings.Contains(string(js), `"not_measured": [`) {
		t.Errorf("a point not measured is not listed in every format:\n%s", r.Text())
	}
	if !r.OK() {
		t.Errorf("a point not measured failed the report: %s", r.Verdict())
	}
}

// A report whose every point was measured differently from its baseline
// judges nothing and says so, naming what differs.
func TestNotComparableHeadline(t *testing.T) {
	ps := sweepOf(nil, 0)[:1]
	ps[0].Current.File.VllmBench.Endpoint = "chat"
	ps[0].Baseline.VllmBench.Endpoint = "completions"
	r := New(gate.Compare(ps, gate.Options{Seed: 1}))
	text := r.Text()
	if !strings.HasPrefix(text, "⚠️ not comparable: 1 point measured with other settings than its baseline, nothing judged") ||
		!strings.Contains(text, "endpoint (chat vs completions)") || strings.Contains(text, "✅") {
		t.Errorf("text:\n%s", text)
	}
}
