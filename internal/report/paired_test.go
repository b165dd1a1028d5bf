package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestPairedReport(t *testing.T) {
	srv := sweep.Server{Run: "quickstart", TP: 1, DP: 1, PP: 1}
	pt := sweep.Point{ContextSize: 512, Concurrency: 8, NumPrompts: 64, OutputLen: 128}
	g := &gate.Report{
		Gates: map[string]gate.Settings{"quickstart": gate.Defaults()},
		Tests: 1,
		Groups: []*gate.Group{{Server: srv, Rows: []*gate.Row{{
			Name: sweep.ResultName(srv, pt), Point: pt, Verdict: stats.Regression, BaseThroughput: 2000, CurThroughput: 1600,
			Cells: []*gate.Cell{{
				Metric: "median_tpot_ms", Unit: "ms", LowerIsBetter: true, Base: 12, Cur: 15, Change: 0.25,
				CI: &stats.Interval{Lo: 0.2, Hi: 0.3, Level: 1 - 2*0.05/3}, Test: gate.TestPaired, P: 1e-4, PAdj: 1e-4,
				Tolerance: 0.05, Verdict: stats.Regression,
			}},
		}}}},
		Paired: &gate.Paired{MaxRounds: 4, Rounds: map[sweep.Server]int{srv: 2}},
	}
	r := New(g)
	md, text := r.Markdown(), r.Text()
	head, _, _ := strings.Cut(md, "\n")
	if !strings.HasPrefix(head, "## ❌ 1 regression") || !strings.HasSuffix(head, " (paired A/B, 2 rounds)") {
		t.Errorf("markdown headline %q", head)
	}
	for _, want := range []string{"Paired A/B: the reference build", "2 rounds of at most 4", "96.7% interval", "a paired t over the rounds"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, want := range []string{"(paired A/B, 2 rounds)\n", "96.7% interval", "paired-sequential"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "95% CI") {
		t.Errorf("text claims 95%% intervals:\n%s", text)
	}
	data, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Paired struct {
			Rounds    int `json:"rounds"`
			MaxRounds int `json:"max_rounds"`
		} `json:"paired"`
	}
	if err := json.Unmarshal(data, &js); err != nil || js.Paired.Rounds != 2 || js.Paired.MaxRounds != 4 {
		t.Errorf("json paired rounds = %d (%v):\n%s", js.Paired.Rounds, err, data)
	}

	// A stored-baseline report is headed as before.
	g.Paired = nil
	if md := New(g).Markdown(); strings.Contains(md, "paired A/B") || !strings.Contains(md, "decision interval") {
		t.Errorf("stored-baseline report:\n%s", md)
	}
}

// An undecided paired report names the change it could not detect and
// says more rounds narrow it, never "changes under 0%".
func TestPairedUndecidedSaysWhatItCouldNotSee(t *testing.T) {
	srv := sweep.Server{Run: "quickstart", TP: 1, DP: 1, PP: 1}
	pt := sweep.Point{ContextSize: 512, Concurrency: 32, NumPrompts: 64, OutputLen: 128}
	g := &gate.Report{
		Gates: map[string]gate.Settings{"quickstart": gate.Defaults()},
		Tests: 1,
		Groups: []*gate.Group{{Server: srv, Rows: []*gate.Row{{
			Name: sweep.ResultName(srv, pt), Point: pt, Verdict: stats.Undecided, BaseThroughput: 2000, CurThroughput: 2100,
			Cells: []*gate.Cell{{
				Metric: "median_ttft_ms", Unit: "ms", LowerIsBetter: true, Base: 76, Cur: 54, Change: -0.3,
				CI: &stats.Interval{Lo: -0.87, Hi: 2.7, Level: 0.999}, Test: gate.TestPaired, P: 0.27, PAdj: 0.4,
				Tolerance: 0.05, Bound: 0.05, Detectable: 4.2, Verdict: stats.Undecided,
			}},
		}}}},
		Paired: &gate.Paired{MaxRounds: 4, Rounds: map[sweep.Server]int{srv: 4}},
	}
	text := New(g).Text()
	if !strings.Contains(text, "Could not detect changes under 420% median TTFT: after 4 rounds the noise between the builds' starts is too large") ||
		strings.Contains(text, "under 0%") {
		t.Errorf("text:\n%s", text)
	}

	// A cell settled on two noisy rounds cannot see even a tenfold change;
	// the report says that rather than print its 10^17 %.
	g.Groups[0].Rows[0].Cells[0].Detectable = 2.2e15
	r := New(g)
	text = r.Text()
	if !strings.Contains(text, "Could not detect even a tenfold change in median TTFT: after 4 rounds") || strings.Contains(text, "e+") ||
		strings.Contains(text, "00000%") || !strings.Contains(r.Markdown(), ">900%") {
		t.Errorf("text:\n%s", text)
	}

	// A point dropped after 2 rounds because even 4 could not decide it
	// is not said to have had 4.
	g.Groups[0].Rows[0].Rounds = 2
	pt2 := sweep.Point{ContextSize: 1024, Concurrency: 32, NumPrompts: 64, OutputLen: 128}
	g.Groups[0].Rows = append(g.Groups[0].Rows, &gate.Row{
		Name: sweep.ResultName(srv, pt2), Point: pt2, Verdict: stats.Undecided, Rounds: 4, BaseThroughput: 2000, CurThroughput: 2000,
		Cells: []*gate.Cell{{
			Metric: "median_ttft_ms", Unit: "ms", LowerIsBetter: true, Base: 70, Cur: 72, Change: 0.03,
			CI: &stats.Interval{Lo: -0.1, Hi: 0.2, Level: 0.999}, Test: gate.TestPaired, P: 0.5, PAdj: 0.6,
			Tolerance: 0.05, Bound: 0.05, Detectable: 0.3, Verdict: stats.Undecided,
		}},
	})
	if text := New(g).Text(); !strings.Contains(text, "after 2-4 rounds (points that even 4 rounds could not decide were measured no more) the noise") {
		t.Errorf("text:\n%s", text)
	}
}

// A paired report says how many rounds measured its points when some were
// settled sooner, and gives each point's rounds in JSON.
func TestPairedPointRounds(t *testing.T) {
	srv := sweep.Server{Run: "quickstart", TP: 1, DP: 1, PP: 1}
	row := func(ctx, rounds int, v stats.Verdict) *gate.Row {
		pt := sweep.Point{ContextSize: ctx, Concurrency: 8, NumPrompts: 64, OutputLen: 128}
		return &gate.Row{Name: sweep.ResultName(srv, pt), Point: pt, Verdict: v, Rounds: rounds, BaseThroughput: 2000, CurThroughput: 2000,
			Cells: []*gate.Cell{{Metric: "median_tpot_ms", Unit: "ms", LowerIsBetter: true, Base: 12, Cur: 12, Test: gate.TestPaired,
				CI: &stats.Interval{Lo: -0.01, Hi: 0.01, Level: 0.967}, P: 0.9, PAdj: 0.9, Tolerance: 0.05, Verdict: v}}}
	}
	g := &gate.Report{
		Gates:  map[string]gate.Settings{"quickstart": gate.Defaults()},
		Tests:  3,
		Groups: []*gate.Group{{Server: srv, Rows: []*gate.Row{row(512, 2, stats.Unchanged), row(1024, 2, stats.Unchanged), row(2048, 4, stats.Undecided)}}},
		Paired: &gate.Paired{MaxRounds: 4, Rounds: map[sweep.Server]int{srv: 4}},
	}
	const want = "Points settled sooner were not measured again: 2 rounds for 2 points, 4 rounds for 1 point."
	if md := New(g).Markdown(); !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q:\n%s", want, md)
	}
	data, err := New(g).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Points []struct {
			Rounds int `json:"rounds"`
		} `json:"points"`
	}
	if err := json.Unmarshal(data, &js); err != nil || len(js.Points) != 3 {
		t.Fatalf("json points (%v):\n%s", err, data)
	}
	got := 0
	for _, p := range js.Points {
		got += p.Rounds
	}
	if got != 8 {
		t.Errorf("json point rounds sum to %d, want 2+2+4:\n%s", got, data)
	}
	// Every point measured in every round: nothing to say.
	for _, r := range g.Groups[0].Rows {
		r.Rounds = 4
	}
	if md := New(g).Markdown(); strings.Contains(md, "settled sooner") {
		t.Errorf("every point had 4 rounds, yet:\n%s", md)
	}
}
