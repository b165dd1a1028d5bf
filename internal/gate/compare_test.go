package gate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

const gpu = gatetest.H100

func TestCompareVerdicts(t *testing.T) {
	r := Compare(gatetest.GoldenPairs(), Options{Seed: 1})
	want := map[string]stats.Verdict{
		"llama-7b_TP1_DP1_CTX512_C8_P200_O128.json": stats.Undecided, // no history: the prior's noise

		"llama-7b_TP1_DP1_CTX512_C32_P200_O128.json":  stats.Regression,
		"llama-7b_TP1_DP1_CTX512_C64_P200_O128.json":  stats.Improvement,
		"llama-7b_TP1_DP1_CTX1024_C8_P200_O128.json":  stats.New,
		"llama-7b_TP1_DP1_CTX1024_C32_P200_O128.json": stats.Failed,
		"llama-7b_TP1_DP1_CTX1024_C64_P200_O128.json": stats.Undecided,
		"llama-7b_TP2_DP1_CTX512_C8_P200_O128.json":   stats.Skipped,
	}
	for _, row := range r.Rows() {
		if row.Verdict != want[row.Name] {
			t.Errorf("%s: verdict %s, want %s", row.Name, row.Verdict, want[row.Name])
		}
	}
	if r.Regressions() != 1 || r.Failed() != 1 || r.Verdict() != VerdictFailed {
		t.Errorf("regressions %d, failed %d, verdict %s", r.Regressions(), r.Failed(), r.Verdict())
	}
}

// Identical results pass; without history the prior run-to-run noise is too
// wide to show them within the tolerance (undecided), with a tight history
// they are unchanged.
func TestCompareSameResultsPass(t *testing.T) {
	s := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Seed: 3}
	tight := map[string][]float64{
		"median_ttft_ms":    {50, 50.2, 49.8, 50.1, 49.9},
		"median_tpot_ms":    {9, 9.02, 8.98, 9.01, 8.99},
		"output_throughput": {900, 902, 898, 901, 899},
	}
	for _, tt := range []struct {
		name    string
		history map[string][]float64
		want    stats.Verdict
	}{{"no history", nil, stats.Undecided}, {"tight history", tight, stats.Unchanged}} {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare([]baseline.Pair{gatetest.Pair(s, &s, tt.history)}, Options{})
			if r.Verdict() != VerdictPass {
				t.Fatalf("identical results: verdict %s", r.Verdict())
			}
			for _, c := range r.Rows()[0].Cells {
				if c.Verdict != tt.want || c.Decision == nil || !(c.Detectable > 0) {
					t.Errorf("%s: %s, decision %v, detectable %v; want %s", c.Metric, c.Verdict, c.Decision, c.Detectable, tt.want)
				}
			}
		})
	}
}

func TestCompareThroughputTests(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 100, Seed: 3}
	slow := base
	slow.OutputTokS, slow.Seed = 850, 4
	only := Settings{Metrics: []string{"output_throughput"}, Tolerance: 0.05, Alpha: 0.05}
	tests := []struct {
		name     string
		repeats  int
		history  []float64
		wantTest string
		want     stats.Verdict
		warn     bool
	}{
		{"welch with two repeats", 2, nil, TestWelch, stats.Regression, false},
		{"prediction from history", 1, []float64{1000, 995, 1010, 1003}, TestPrediction, stats.Regression, false},
		{"tolerance alone", 1, []float64{1000, 990}, TestTolerance, stats.Regression, true},
		// A 15 % drop within a tolerance raised to 3 x a 16 % CV: not a
		// regression, and not shown to be within 5 % either.
		{"noisy history raises the tolerance", 1, []float64{1000, 800, 1200, 900, 1100}, TestPrediction, stats.Undecided, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, c := base, slow
			b.Repeats, c.Repeats = tt.repeats, tt.repeats
			p := gatetest.Pair(c, &b, map[string][]float64{"output_throughput": tt.history})
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Test != tt.wantTest || cell.Verdict != tt.want || (len(cell.Warnings) > 0) != tt.warn {
				t.Errorf("cell = test %s verdict %s warnings %q; want %s %s warn=%v", cell.Test, cell.Verdict, cell.Warnings, tt.wantTest, tt.want, tt.warn)
			}
		})
	}
}

// A shift that is clear within one run but no larger than the history's
// run-to-run spread is not a regression, nor shown to be no change: it is
// undecided; one far outside that spread is a regression.
func TestCompareLatencyAgainstHistory(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 400, Seed: 3}
	only := Settings{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	tests := []struct {
		name     string
		tpotMs   float64
		history  []float64
		wantTest string
		want     stats.Verdict
	}{
		{"no history: the within-run test decides", 9.9, nil, TestMannWhitney, stats.Regression},
		{"within the run-to-run spread", 9.9, []float64{9.0, 10.2, 8.1, 9.6, 8.7}, TestMannWhitneyHistory, stats.Undecided},
		{"no shift, tight history", 9.0, []float64{9.0, 9.05, 8.95, 9.02, 8.98}, TestMannWhitneyHistory, stats.Unchanged},
		{"beyond the run-to-run spread", 9.9, []float64{9.0, 9.05, 8.95, 9.02, 8.98}, TestMannWhitneyHistory, stats.Regression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base
			cur.TPOTMs, cur.Seed = tt.tpotMs, 4
			p := gatetest.Pair(cur, &base, map[string][]float64{"median_tpot_ms": tt.history})
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Test != tt.wantTest || cell.Verdict != tt.want {
				t.Errorf("cell = test %s verdict %s p %.3g; want %s %s", cell.Test, cell.Verdict, cell.P, tt.wantTest, tt.want)
			}
		})
	}
}

// With two repeats or more on both sides, the spread of the per-repeat
// medians counts too: a shift no larger than that spread is not a
// regression, nor shown to be no change.
func TestCompareLatencyAcrossRepeats(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 400, Repeats: 3, Seed: 3}
	cur := base
	cur.TPOTMs, cur.Seed = 9.9, 4
	only := Settings{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	tests := []struct {
		name      string
		base, cur []float64 // per-repeat median TPOTs
		want      stats.Verdict
	}{
		{"repeats agree: regression", []float64{9.0, 9.02, 8.98}, []float64{9.9, 9.92, 9.88}, stats.Regression},
		{"repeats scatter as much as the shift: undecided", []float64{8.2, 9.0, 9.9}, []float64{9.0, 9.9, 10.8}, stats.Undecided},
	}
	t.Run("repeats and history together", func(t *testing.T) {
		p := gatetest.Pair(cur, &base, map[string][]float64{"median_tpot_ms": {9.0, 9.05, 8.95}})
		for i, v := range []float64{9.0, 9.02, 8.98} {
			p.Baseline.VllmBench.Repeats[i].MedianTPOTMs = v
			p.Current.File.VllmBench.Repeats[i].MedianTPOTMs = v + 0.9
		}
		r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
		if cell := r.Rows()[0].Cells[0]; cell.Test != TestMannWhitneyRepeatsHistory || cell.Verdict != stats.Regression {
			t.Errorf("cell = test %s verdict %s", cell.Test, cell.Verdict)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := gatetest.Pair(cur, &base, nil)
			for i := range tt.base {
				p.Baseline.VllmBench.Repeats[i].MedianTPOTMs = tt.base[i]
				p.Current.File.VllmBench.Repeats[i].MedianTPOTMs = tt.cur[i]
			}
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Test != TestMannWhitneyRepeats || cell.Verdict != tt.want {
				t.Errorf("cell = test %s verdict %s p %.3g; want %s %s", cell.Test, cell.Verdict, cell.P, TestMannWhitneyRepeats, tt.want)
			}
		})
	}
}

func TestCompareITLWithoutDetails(t *testing.T) {
	b := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 100, Seed: 3}
	c := b
	c.TPOTMs, c.Seed = 12, 4
	g := Settings{Metrics: []string{"median_itl_ms", "p99_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	r := Compare([]baseline.Pair{gatetest.Pair(c, &b, nil)}, Options{Gates: map[string]Settings{"r": g}})
	itl, tpot := r.Rows()[0].Cells[0], r.Rows()[0].Cells[1]
	if itl.Test != TestTolerance || itl.Verdict != stats.Regression || len(itl.Warnings) == 0 {
		t.Errorf("itl cell = %+v", itl)
	}
	if tpot.Test != TestMannWhitney || tpot.Verdict != stats.Regression || tpot.CI == nil {
		t.Errorf("p99 tpot cell = %+v", tpot)
	}
}

func TestCompareTooFewSamples(t *testing.T) {
	b := gatetest.Spec{Run: "r", Ctx: 512, Conc: 2, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 3, Seed: 3}
	c := b
	c.TTFTMs, c.Seed = 80, 4
	r := Compare([]baseline.Pair{gatetest.Pair(c, &b, nil)}, Options{})
	if got := r.Rows()[0].Cells[0].Verdict; got != stats.Undecided {
		t.Errorf("3 samples: verdict %s, want undecided", got)
	}
}

func TestMetricCatalogue(t *testing.T) {
	for _, name := range DefaultMetrics() {
		if !ValidMetric(name) {
			t.Errorf("default metric %q unknown", name)
		}
	}
	err := CheckMetrics([]string{"median_ttft_ms", "mean_ttft"})
	if err == nil || !strings.Contains(err.Error(), `"mean_ttft"`) || !strings.Contains(err.Error(), "output_throughput") {
		t.Errorf("CheckMetrics error = %v", err)
	}
	for _, m := range catalogue() {
		if m.Name == "output_throughput" && m.LowerIsBetter || m.Name == "median_ttft_ms" && !m.LowerIsBetter {
			t.Errorf("%s has the wrong direction", m.Name)
		}
	}
}

func TestSamples(t *testing.T) {
	f := gatetest.File(gatetest.Spec{Run: "r", Ctx: 8, Conc: 1, TTFTMs: 50, TPOTMs: 10, OutputTokS: 100, N: 20, Failed: 2, Seed: 9})
	ttft, _ := LookupMetric("median_ttft_ms")
	tpot, _ := LookupMetric("median_tpot_ms")
	if got := len(ttft.Samples(f)); got != 18 {
		t.Errorf("ttft samples = %d, want 18 (failed requests left out)", got)
	}
	if got, want := stats.Median(tpot.Samples(f)), f.MedianTPOTMs; !near(got, want) {
		t.Errorf("median of tpot samples = %v, want %v", got, want)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// Without run-to-run history a latency change must clear the no-history
// allowance (3 x the prior CV); with history, the measured spread decides.
func TestCompareNoHistoryAllowance(t *testing.T) {
	base := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 400, Seed: 3}
	only := Defaults()
	only.Metrics = []string{"median_tpot_ms"}
	if got := only.NoHistoryAllowance("median_tpot_ms"); !near(got, 3*PriorCVDecode) {
		t.Fatalf("allowance %v, want %v", got, 3*PriorCVDecode)
	}
	tests := []struct {
		name      string
		tpotMs    float64
		history   []float64
		want      stats.Verdict
		noHistory bool
	}{
		{"10% without history: not flagged, never unchanged", 9.9, nil, stats.Undecided, true},
		{"30% without history: regression", 11.7, nil, stats.Regression, true},
		{"10% with a tight history: regression", 9.9, []float64{9.0, 9.05, 8.95, 9.02, 8.98}, stats.Regression, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base
			cur.TPOTMs, cur.Seed = tt.tpotMs, 4
			p := gatetest.Pair(cur, &base, map[string][]float64{"median_tpot_ms": tt.history})
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Verdict != tt.want || cell.NoHistory != tt.noHistory {
				t.Errorf("cell = verdict %s no-history %v tolerance %v; want %s %v", cell.Verdict, cell.NoHistory, cell.Tolerance, tt.want, tt.noHistory)
			}
			if tt.noHistory && (len(r.NoHistory) != 1 || r.NoHistory[0].Metric != "median_tpot_ms" || !near(r.NoHistory[0].Change, 3*PriorCVDecode)) {
				t.Errorf("report allowances = %+v", r.NoHistory)
			}
			if tt.noHistory && !strings.Contains(strings.Join(cell.Warnings, "; "), fmt.Sprintf("changes under %.0f%% are treated as noise", 300*PriorCVDecode)) {
				t.Errorf("warnings = %q", cell.Warnings)
			}
		})
	}
}
