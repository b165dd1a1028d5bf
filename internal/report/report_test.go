package report

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

const gpu = "NVIDIA H100 80GB HBM3"

// goldenPairs is a small sweep with one of each outcome: unchanged,
// regression (TTFT +20%), improvement (TPOT -15%, throughput +15%), a new
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
	b = base(512, 32, 2)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 102; s.ttftMs *= 1.2 }), &b, nil))
	b = base(512, 64, 3)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 103; s.tpotMs *= 0.85; s.outTput *= 1.15 }), &b, nil))
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

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "report", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	r := Compare(goldenPairs(), Options{Seed: 1})
	golden(t, "compare.md", r.Markdown())
	golden(t, "compare.txt", r.Text())
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.json", string(js)+"\n")
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
	for _, row := range r.rows() {
		if row.Verdict != want[row.Name] {
			t.Errorf("%s: verdict %s, want %s", row.Name, row.Verdict, want[row.Name])
		}
	}
	if r.Regressions() != 1 || r.Failed() != 1 || r.Verdict() != VerdictFailed {
		t.Errorf("regressions %d, failed %d, verdict %s", r.Regressions(), r.Failed(), r.Verdict())
	}
	ann := r.Annotations()
	if len(ann) != 2 || !strings.Contains(ann[0], "median_ttft_ms regressed") {
		t.Errorf("annotations = %q", ann)
	}
}

func TestCompareSameResultsPass(t *testing.T) {
	s := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 900, n: 100, seed: 3}
	r := Compare([]baseline.Pair{pair(s, &s, nil)}, Options{})
	if r.Verdict() != VerdictPass {
		t.Fatalf("identical results: verdict %s\n%s", r.Verdict(), r.Text())
	}
	for _, c := range r.rows()[0].Cells {
		if c.Verdict != stats.Unchanged {
			t.Errorf("%s: %s", c.Metric, c.Verdict)
		}
	}
}

func TestCompareThroughputTests(t *testing.T) {
	base := spec{run: "r", ctx: 512, conc: 8, gpu: gpu, ttftMs: 50, tpotMs: 9, outTput: 1000, n: 100, seed: 3}
	slow := base
	slow.outTput, slow.seed = 850, 4
	only := config.Gate{Metrics: []string{"output_throughput"}, Tolerance: 0.05, Alpha: 0.05}
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
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]config.Gate{"r": only}})
			cell := r.rows()[0].Cells[0]
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
	only := config.Gate{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
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
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]config.Gate{"r": only}})
			cell := r.rows()[0].Cells[0]
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
	only := config.Gate{Metrics: []string{"median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
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
		r := Compare([]baseline.Pair{p}, Options{Gates: map[string]config.Gate{"r": only}})
		if cell := r.rows()[0].Cells[0]; cell.Test != TestMannWhitneyRepeatsHistory || cell.Verdict != stats.Regression {
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
			r := Compare([]baseline.Pair{p}, Options{Gates: map[string]config.Gate{"r": only}})
			cell := r.rows()[0].Cells[0]
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
	g := config.Gate{Metrics: []string{"median_itl_ms", "p99_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05}
	r := Compare([]baseline.Pair{pair(c, &b, nil)}, Options{Gates: map[string]config.Gate{"r": g}})
	itl, tpot := r.rows()[0].Cells[0], r.rows()[0].Cells[1]
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
	if got := r.rows()[0].Cells[0].Verdict; got != stats.Inconclusive {
		t.Errorf("3 samples: verdict %s, want inconclusive", got)
	}
}

// sweep200 builds a 200-point sweep: 4 server configurations x 5 context
// sizes x 10 concurrencies; every point regresses when regress is true.
func sweep200(regress bool) []baseline.Pair {
	var ps []baseline.Pair
	seed := uint64(1)
	for tp := 1; tp <= 4; tp++ {
		for _, ctx := range []int{256, 512, 1024, 2048, 4096} {
			for _, conc := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512} {
				b := spec{run: "llama-70b-long-run-name", tp: tp, ctx: ctx, conc: conc, gpu: gpu,
					ttftMs: 30 + float64(ctx)/10, tpotMs: 10 + float64(conc)/8, outTput: 100 * float64(conc), n: 60, repeats: 2, seed: seed}
				c := b
				c.seed = seed + 1000
				if regress {
					c.ttftMs *= 1.3
					c.tpotMs *= 1.3
					c.outTput *= 0.7
				}
				ps = append(ps, pair(c, &b, nil))
				seed++
			}
		}
	}
	return ps
}

func TestMarkdownSizeLimit(t *testing.T) {
	for _, regress := range []bool{false, true} {
		r := Compare(sweep200(regress), Options{Resamples: 100, Gates: map[string]config.Gate{
			"llama-70b-long-run-name": {Metrics: config.DefaultGateMetrics, Tolerance: 0.05, Alpha: 0.05},
		}})
		md := r.Markdown()
		if n := utf8.RuneCountInString(md); n >= 65000 || len(md) > MaxMarkdownBytes {
			t.Errorf("regress=%v: markdown has %d characters, %d bytes", regress, n, len(md))
		}
		if regress && r.Regressions() != 600 {
			t.Errorf("regressions = %d, want 600", r.Regressions())
		}
		if !strings.Contains(md, "200 points") && !strings.Contains(md, "200 regressions") {
			t.Errorf("regress=%v: the summary lost its counts", regress)
		}
		// Tables are never cut: every table line is a whole row.
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
				t.Errorf("cut table line %q", line)
			}
		}
	}
}

func TestMetricCatalogue(t *testing.T) {
	for _, name := range config.GateMetricNames {
		if !ValidMetric(name) {
			t.Errorf("config accepts %q but the report does not know it", name)
		}
	}
	for _, name := range config.DefaultGateMetrics {
		if !ValidMetric(name) {
			t.Errorf("default metric %q unknown", name)
		}
	}
	err := CheckMetrics([]string{"median_ttft_ms", "mean_ttft"})
	if err == nil || !strings.Contains(err.Error(), `"mean_ttft"`) || !strings.Contains(err.Error(), "output_throughput") {
		t.Errorf("CheckMetrics error = %v", err)
	}
	for _, m := range Metrics() {
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
