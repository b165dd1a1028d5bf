package baseline

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

func TestRecordOnlyKeepsBaselines(t *testing.T) {
	res := resultsDir(t, h100)
	base := filepath.Join(t.TempDir(), "baselines")
	if _, err := Update(res, base); err != nil {
		t.Fatal(err)
	}
	before := tree(t, base)

	up, err := UpdateWith(res, base, UpdateOptions{RecordOnly: true, Verdict: "regression"})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Promoted) != 0 || len(up.Histories) != 1 {
		t.Fatalf("record-only update = %+v, want no promotion and one history", up)
	}
	after := tree(t, base)
	for name, data := range before {
		if name == filepath.Join("llama", HistoryFile) {
			continue
		}
		if after[name] != data {
			t.Errorf("%s changed by a record-only update", name)
		}
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %d lines, %v; want 2", len(hist), err)
	}
	last := hist[1]
	if last.IsPromoted() || last.Promoted == nil || last.Verdict != "regression" {
		t.Errorf("record-only line: promoted %v, verdict %q", last.Promoted, last.Verdict)
	}
	if len(last.Points) != 2 {
		t.Errorf("record-only line holds %d points, want the 2 complete ones (never the failed one)", len(last.Points))
	}
	if !hist[0].IsPromoted() {
		t.Error("the promoting update's line reads as not promoted")
	}
}

func TestGateHistoryReadsPromotedLinesOnly(t *testing.T) {
	yes, no := true, false
	line := func(v float64, promoted *bool) HistoryEntry {
		return HistoryEntry{GPUModel: h100, Promoted: promoted,
			Points: map[string]map[string]float64{"p.json": {"median_tpot_ms": v}}}
	}
	entries := []HistoryEntry{
		line(10, nil), // written before promotion was recorded: promoted
		line(11, &yes),
		line(30, &no), // a night that regressed: on record, not a reference
		line(12, &yes),
	}
	values, _ := pointHistory(entries, "p.json", h100)
	got := values["median_tpot_ms"]
	want := []float64{10, 11, 12}
	if len(got) != len(want) {
		t.Fatalf("gate history = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("gate history = %v, want %v", got, want)
		}
	}
}

func TestAcceptedLineNamesReason(t *testing.T) {
	res := resultsDir(t, h100)
	base := t.TempDir()
	_, err := UpdateWith(res, base, UpdateOptions{Verdict: "regression", AcceptedBy: "octocat", AcceptReason: "trade TTFT for throughput"})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 {
		t.Fatalf("history = %v, %v", hist, err)
	}
	h := hist[0]
	if !h.IsPromoted() || !h.Accepted() || h.AcceptedBy != "octocat" || h.AcceptReason != "trade TTFT for throughput" || h.Verdict != "regression" {
		t.Errorf("accepted line = %+v", h)
	}
}

func TestRecordOnlyLeavesSuspectPointsOut(t *testing.T) {
	res := t.TempDir()
	clean, f := result("llama", 1, h100)
	writeJSON(t, filepath.Join(res, clean), f)
	busy, g := result("llama", 2, h100)
	g.VllmBench.Client = &probe.ClientHealth{Saturated: true, LagSamples: 500, SchedLagP99Ms: 40, SaturationBoundMs: 1}
	writeJSON(t, filepath.Join(res, busy), g)
	base := t.TempDir()
	up, err := UpdateWith(res, base, UpdateOptions{RecordOnly: true, Verdict: "regression"})
	if err != nil {
		t.Fatalf("a record-only update refused a suspect point: %v", err)
	}
	if len(up.Skipped) != 1 || up.Skipped[0].Name != busy || !strings.HasPrefix(up.Skipped[0].Reason, "suspect: client") {
		t.Errorf("skipped %+v, want the saturated point with its reason", up.Skipped)
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %v, %v", hist, err)
	}
	if _, ok := hist[0].Points[busy]; ok || len(hist[0].Points) != 1 {
		t.Errorf("the line holds %v, want the clean point only", hist[0].Points)
	}
}
