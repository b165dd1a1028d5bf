package gate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

const gpu = "NVIDIA H100 80GB HBM3"

// goldenPairs is a small sweep with one of each outcome: unchanged,
// regression (TTFT +20%, with history), improvement (TPOT -30%, throughput +30%), a new
// point, a failed point and a baseline from other hardware.
func goldenPairs() []baseline.Pair {
	base := func(ctx, conc int, seed uint64) spec {
		return spec{run: "llama-7b", ctx: ctx, conc: conc, gpu: gpu, ttftMs: 40 + float64(ctx)/20 + float64(conc)/2,
			tpotMs: 8 + float64(conc)/16, outTput: 120 * float64(conc) / (1 + float64(conc)/64), n: 200, repeats: 2, seed: seed}
	}
	with := func(s spec, f func(*spec)) *spec { f(&s); return &s }
	var ps []baseline.Pair
	// CTX512: unchanged at C8, regression at C32, improvement at C64.
	b := base(512, 8, 1)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 101 }), &b, nil))
	// The regression has run-to-run history, so it is judged against the
	// measured spread rather than the no-history allowance.
	b = base(512, 32, 2)
	hist := map[string][]float64{"median_ttft_ms": {b.ttftMs, 1.01 * b.ttftMs, 0.99 * b.ttftMs, 1.005 * b.ttftMs, 0.995 * b.ttftMs}}
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 102; s.ttftMs *= 1.2 }), &b, hist))
	b = base(512, 64, 3)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 103; s.tpotMs *= 0.7; s.outTput *= 1.3 }), &b, nil))
	// CTX1024: new at C8, failed at C32, unchanged at C64.
	b = base(1024, 8, 4)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 104 }), nil, nil))
	b = base(1024, 32, 5)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 105; s.failed = 3 }), &b, nil))
	b = base(1024, 64, 6)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 106 }), &b, nil))
	// TP2: the baseline was measured on an A100.
	b = base(512, 8, 7)
	b.tp = 2
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 107 }), with(b, func(s *spec) { s.gpu = "NVIDIA A100-SXM4-80GB"; s.ttftMs *= 1.5 }), nil))
	return ps
}

func TestCompareVerdicts(t *testing.T) {
	r := Compare(goldenPairs(), Options{Seed: 1})
	want := map[string]stats.Verdict{
		"llama-7b_TP1_DP1_CTX512_C8_P200_O128.json":   stats.Unchanged,
		"llama-7b_TP1_DP1_CTX512_C32_P200_O128.json":  stats.Regression,
		"llama-7b_TP1_DP1_CTX512_C64_P200_O128.json":  stats.Improvement,
		"llama-7b_TP1_DP1_CTX1024_C8_P200_O128.json":  stats.New,
		"llama-7b_TP1_DP1_CTX1024_C32_P200_O128.json": stats.Failed,
		"llama-7b_TP1_DP1_CTX1024_C64_P200_O128.json": stats.Unchanged,
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

func TestCompareSameResultsPass(t *testing.T) {
	s := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 900, n: 100, seed: 3}
	r := Compare([]baseline.Pair{pair(s, &s, nil)}, Options{})
	if r.Verdict() != VerdictPass {
		t.Fatalf("identical results: verdict %s", r.Verdict())
	}
	for _, c := range r.Rows()[0].Cells {
		if c.Verdict != stats.Unchanged {
			t.Errorf("%s: %s", c.Metric, c.Verdict)
		}
	}
}

func TestCompareThroughputTests(t *testing.T) {
	base := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 100, seed: 3}
	slow := base
	slow.outTput, slow.seed = 850, 4
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
		{"noisy history raises the tolerance", 1, []float64{1000, 800, 1200, 900, 1100}, TestPrediction, stats.Unchanged, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, c := base, slow
			b.repeats, c.repeats = tt.repeats, tt.repeats
			p := pair(c, &b, map[string][]float64{"output_throughput": tt.history})
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Test != tt.wantTest || cell.Verdict != tt.want || (len(cell.Warnings) > 0) != tt.warn {
				t.Errorf("cell = test %s verdict %s warnings %q; want %s %s warn=%v", cell.Test, cell.Verdict, cell.Warnings, tt.wantTest, tt.want, tt.warn)
			}
		})
	}
}

// A shift that is clear within one run but no larger than the history's
// run-to-run spread is noise; one far outside that spread is a regression.
func TestCompareLatencyAgainstHistory(t *testing.T) {
	base := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 400, seed: 3}
	only := Settings{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	tests := []struct {
		name     string
		tpotMs   float64
		history  []float64
		wantTest string
		want     stats.Verdict
	}{
		{"no history: the within-run test decides", 9.9, nil, TestMannWhitney, stats.Regression},
		{"within the run-to-run spread", 9.9, []float64{9.0, 10.2, 8.1, 9.6, 8.7}, TestMannWhitneyHistory, stats.Unchanged},
		{"beyond the run-to-run spread", 9.9, []float64{9.0, 9.05, 8.95, 9.02, 8.98}, TestMannWhitneyHistory, stats.Regression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base
			cur.tpotMs, cur.seed = tt.tpotMs, 4
			p := pair(cur, &base, map[string][]float64{"median_tpot_ms": tt.history})
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]Settings{"r": only}})
			cell := r.Rows()[0].Cells[0]
			if cell.Test != tt.wantTest || cell.Verdict != tt.want {
				t.Errorf("cell = test %s verdict %s p %.3g; want %s %s", cell.Test, cell.Verdict, cell.P, tt.wantTest, tt.want)
			}
		})
	}
}

// With two repeats or more on both sides, the spread of the per-repeat
// medians counts too: a shift no larger than that spread is noise.
func TestCompareLatencyAcrossRepeats(t *testing.T) {
	base := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 400, repeats: 3, seed: 3}
	cur := base
	cur.tpotMs, cur.seed = 9.9, 4
	only := Settings{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	tests := []struct {
		name      string
		base, cur []float64 // per-repeat median TPOTs
		want      stats.Verdict
	}{
		{"repeats agree: regression", []float64{9.0, 9.02, 8.98}, []float64{9.9, 9.92, 9.88}, stats.Regression},
		{"repeats scatter as much as the shift: unchanged", []float64{8.2, 9.0, 9.9}, []float64{9.0, 9.9, 10.8}, stats.Unchanged},
	}
	t.Run("repeats and history together", func(t *testing.T) {
		p := pair(cur, &base, map[string][]float64{"median_tpot_ms": {9.0, 9.05, 8.95}})
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
			p := pair(cur, &base, nil)
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
	b := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 100, seed: 3}
	c := b
	c.tpotMs, c.seed = 12, 4
	g := Settings{Metrics: []string{"median_itl_ms", "p99_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	r := Compare([]baseline.Pair{pair(c, &b, nil)}, Options{Gates: map[string]Settings{"r": g}})
	itl, tpot := r.Rows()[0].Cells[0], r.Rows()[0].Cells[1]
	if itl.Test != TestTolerance || itl.Verdict != stats.Regression || len(itl.Warnings) == 0 {
		t.Errorf("itl cell = %+v", itl)
	}
	if tpot.Test != TestMannWhitney || tpot.Verdict != stats.Regression || tpot.CI == nil {
		t.Errorf("p99 tpot cell = %+v", tpot)
	}
}

func TestCompareTooFewSamples(t *testing.T) {
	b := spec{run: "r", ctx: 512, conc: 2, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 3, seed: 3}
	c := b
	c.ttftMs, c.seed = 80, 4
	r := Compare([]baseline.Pair{pair(c, &b, nil)}, Options{})
	if got := r.Rows()[0].Cells[0].Verdict; got != stats.Inconclusive {
		t.Errorf("3 samples: verdict %s, want inconclusive", got)
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
	f := makeFile(spec{run: "r", ctx: 8, conc: 1, ttftMs: 50, tpotMs: 10, outTput: 100, n: 20, failed: 2, seed: 9})
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
	base := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 400, seed: 3}
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
		{"10% without history: noise", 9.9, nil, stats.Unchanged, true},
		{"30% without history: regression", 11.7, nil, stats.Regression, true},
		{"10% with a tight history: regression", 9.9, []float64{9.0, 9.05, 8.95, 9.02, 8.98}, stats.Regression, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base
			cur.tpotMs, cur.seed = tt.tpotMs, 4
			p := pair(cur, &base, map[string][]float64{"median_tpot_ms": tt.history})
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
