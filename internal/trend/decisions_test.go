package trend

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
)

func TestDecisionsInTextAndMarkdown(t *testing.T) {
	no := false
	var entries []baseline.HistoryEntry
	for i := range 8 {
		e := baseline.HistoryEntry{
			Date: fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1), GitSHA: fmt.Sprintf("%07x", 0xabc0000+i), GPUModel: "H100",
			Points: map[string]map[string]float64{"r_TP1_DP1_CTX512_C8_P64_O64.json": {"median_tpot_ms": 8}},
		}
		switch i {
		case 5, 6:
			e.Verdict, e.Promoted = "regression", &no
		case 7:
			e.Verdict, e.AcceptedBy, e.AcceptReason = "regression", "octocat", "new default block size"
		}
		entries = append(entries, e)
	}
	dir := t.TempDir()
	baselinetest.WriteHistory(t, dir, "r", entries)
	a, err := Analyze(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	failed := "the gate failed 2 runs, recorded but not promoted: abc0005 regression, abc0006 regression"
	accepted := "accepted on purpose: run abc0007 (2026-11-08) by octocat: new default block size"
	if got := a.Runs[0].Decisions(); len(got) != 2 || got[0] != failed || got[1] != accepted {
		t.Errorf("decisions = %q", got)
	}
	text, md := a.Text(), a.Markdown("")
	for _, want := range []string{"  " + failed, "  " + accepted} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{"- The gate failed 2 runs", "- Accepted on purpose: run abc0007"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// A history that only passed decides nothing worth a line.
	for i := range entries {
		entries[i].Verdict, entries[i].Promoted, entries[i].AcceptedBy, entries[i].AcceptReason = "", nil, "", ""
	}
	baselinetest.WriteHistory(t, dir, "r", entries)
	if a, err = Analyze(dir, Options{}); err != nil || len(a.Runs[0].Decisions()) != 0 {
		t.Errorf("a history of passed runs: decisions %q, %v", a.Runs[0].Decisions(), err)
	}
}
