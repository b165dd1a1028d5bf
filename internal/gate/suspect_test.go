package gate

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// saturated marks a result as measured by a client whose lag p99 was 8 ms.
func saturated(p baseline.Pair, inBaseline bool) baseline.Pair {
	h := probe.ClientHealth{SchedLagP99Ms: 8, LagSamples: 500, GOMAXPROCS: 2}
	h.Judge(9)
	if inBaseline {
		p.Baseline.VllmBench.Client = &h
	} else {
		p.Current.File.VllmBench.Client = &h
	}
	return p
}

func TestSaturatedClientMakesLatencySuspect(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 200, Repeats: 2, Seed: 3}
	// TTFT 60 % worse and throughput 15 % lower: both clear regressions.
	worse := base
	worse.TTFTMs, worse.OutputTokS, worse.Seed = 80, 850, 4
	gates := map[string]Settings{"r": {Metrics: []string{"median_ttft_ms", "output_throughput"}, Tolerance: 0.05, Alpha: 0.05}}

	plain := Compare([]baseline.Pair{gatetest.Pair(worse, &base, nil)}, Options{Gates: gates})
	if plain.Regressions() != 2 || plain.SuspectRegressions() != 0 {
		t.Fatalf("without saturation: %d regressions, %d suspect; want 2 and 0", plain.Regressions(), plain.SuspectRegressions())
	}
	for _, inBaseline := range []bool{false, true} {
		r := Compare([]baseline.Pair{saturated(gatetest.Pair(worse, &base, nil), inBaseline)}, Options{Gates: gates})
		row := r.Rows()[0]
		if !strings.Contains(row.Suspect, "saturated client: client saturated (scheduling lag p99 8 ms > 1 ms") {
			t.Errorf("baseline saturated %v: row says %q", inBaseline, row.Suspect)
		}
		for _, c := range row.Cells {
			if c.Verdict != stats.Regression || c.Suspect != (c.Metric == "median_ttft_ms") {
				t.Errorf("baseline saturated %v: %s verdict %s suspect %v; want a regression, suspect only for the latency", inBaseline, c.Metric, c.Verdict, c.Suspect)
			}
		}
		// The throughput regression still counts; the latency one does not.
		if row.Verdict != stats.Regression || r.Regressions() != 1 || r.SuspectRegressions() != 1 || r.Verdict() != VerdictRegression {
			t.Errorf("baseline saturated %v: %d regressions, %d suspect, verdict %s; want 1, 1, regression", inBaseline, r.Regressions(), r.SuspectRegressions(), r.Verdict())
		}
	}
	// A latency regression alone on a saturated point does not fail the check.
	latencyOnly := map[string]Settings{"r": {Metrics: []string{"median_ttft_ms"}, Tolerance: 0.05, Alpha: 0.05}}
	r := Compare([]baseline.Pair{saturated(gatetest.Pair(worse, &base, nil), false)}, Options{Gates: latencyOnly})
	if r.Verdict() != VerdictPass || r.SuspectRegressions() != 1 || r.Rows()[0].Verdict != stats.Undecided {
		t.Errorf("a suspect latency regression alone: verdict %s, %d suspect, point %s; want pass, 1, undecided",
			r.Verdict(), r.SuspectRegressions(), r.Rows()[0].Verdict)
	}
}

func TestSaturatedClientOnFailedPoint(t *testing.T) {
	failed := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 10, Failed: 10, Seed: 3}
	base := failed
	base.Failed = 0
	r := Compare([]baseline.Pair{saturated(gatetest.Pair(failed, &base, nil), false)}, Options{})
	if row := r.Rows()[0]; row.Verdict != stats.Failed || row.Suspect != "" {
		t.Errorf("failed point: verdict %s, client note %q; want failed and no note", row.Verdict, row.Suspect)
	}
}

// A statistic below what the client can time is degenerate: the cell is
// suspect whichever side holds it, with the reason, and is not counted.
func TestDegenerateStatisticIsSuspect(t *testing.T) {
	good := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 200, Seed: 3}
	bunched := good
	bunched.TPOTMs, bunched.Seed = 0.004, 4
	gates := map[string]Settings{"r": {Metrics: []string{"median_ttft_ms", "median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}}
	for _, tc := range []struct {
		name      string
		cur, base gatetest.Spec
		side      string
	}{
		{"in the baseline", good, bunched, "the baseline's median TPOT of 0.004"},
		{"in this run", bunched, good, "this run's median TPOT of 0.004"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare([]baseline.Pair{gatetest.Pair(tc.cur, &tc.base, nil)}, Options{Gates: gates})
			row := r.Rows()[0]
			ttft, tpot := row.Cells[0], row.Cells[1]
			if ttft.Suspect || !tpot.Suspect || !strings.Contains(tpot.SuspectReason, tc.side) || !strings.Contains(tpot.SuspectReason, "degenerate") {
				t.Fatalf("ttft suspect %v; tpot suspect %v reason %q; want only tpot, naming %q", ttft.Suspect, tpot.Suspect, tpot.SuspectReason, tc.side)
			}
			if tpot.Verdict != stats.Regression && tpot.Verdict != stats.Improvement {
				t.Fatalf("tpot verdict %s: the fixture should move it", tpot.Verdict)
			}
			if r.Regressions() != 0 || row.Counted(tpot) || r.CountCells(tpot.Verdict).Cells != 0 {
				t.Errorf("a degenerate cell counted: %d regressions", r.Regressions())
			}
		})
	}
}
