package gate

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestStartRows(t *testing.T) {
	srv := sweep.Server{Run: "r", TP: 1, DP: 1, PP: 1}
	steady := []float64{30, 30.2, 29.9, 30.1, 30.5}
	tests := []struct {
		name string
		sp   baseline.StartPair
		want stats.Verdict
		test string
		note string
	}{
		{name: "as before, with history", sp: baseline.StartPair{Cache: baseline.CacheCold, Current: []float64{30.4}, Baseline: []float64{30.5}, History: steady},
			want: stats.Unchanged, test: TestPrediction},
		{name: "twice as slow, with history", sp: baseline.StartPair{Cache: baseline.CacheCold, Current: []float64{60}, Baseline: []float64{30.5}, History: steady},
			want: stats.Regression, test: TestPrediction},
		{name: "faster, with history", sp: baseline.StartPair{Cache: baseline.CacheWarm, Current: []float64{10}, Baseline: []float64{30.5}, History: steady},
			want: stats.Improvement, test: TestPrediction},
		// Without history the prior's allowance (3 x 10 %) decides.
		{name: "20 % slower, no history", sp: baseline.StartPair{Cache: baseline.CacheCold, Current: []float64{36}, Baseline: []float64{30}},
			want: stats.Undecided, test: TestTolerance},
		{name: "2.5 x slower, no history", sp: baseline.StartPair{Cache: baseline.CacheCold, Current: []float64{75}, Baseline: []float64{30}},
			want: stats.Regression, test: TestTolerance},
		{name: "several starts a side", sp: baseline.StartPair{Cache: baseline.CacheWarm, Current: []float64{20, 20.4, 19.8}, Baseline: []float64{10, 10.2, 9.9}},
			want: stats.Regression, test: TestWelch},
		{name: "warm against cold on record", sp: baseline.StartPair{Cache: baseline.CacheWarm, Current: []float64{10}, OtherCache: []string{baseline.CacheCold}},
			want: stats.NotComparable, note: "history holds cold starts"},
		{name: "nothing on record", sp: baseline.StartPair{Cache: baseline.CacheCold, Current: []float64{30}},
			want: stats.New},
		{name: "no start recorded", sp: baseline.StartPair{NoStart: "the results directory records no server start"},
			want: stats.Skipped, note: "records no server start"},
	}
	gated := Defaults()
	gated.Metrics = []string{"output_throughput", StartupSeconds}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sp.Server = srv
			r := CompareWithStarts(nil, []baseline.StartPair{tt.sp}, Options{Gates: map[string]Settings{"r": gated}})
			rows := r.Rows()
			if len(rows) != 1 || len(rows[0].Cells) != 1 || !IsStartPoint(rows[0].Point) {
				t.Fatalf("rows %+v, want one start row with one cell", rows)
			}
			row, c := rows[0], rows[0].Cells[0]
			if c.Metric != StartupSeconds || c.Verdict != tt.want || row.Verdict != tt.want || c.Test != tt.test {
				t.Errorf("cell %s verdict %s (row %s) by %q, want %s by %q; warnings %q", c.Metric, c.Verdict, row.Verdict, c.Test, tt.want, tt.test, c.Warnings)
			}
			if !strings.Contains(row.Note, tt.note) {
				t.Errorf("note %q, want it to contain %q", row.Note, tt.note)
			}
			if tt.want == stats.Regression && (r.Regressions() != 1 || r.Verdict() != VerdictRegression) {
				t.Errorf("a regressed start: %d regressions, verdict %s", r.Regressions(), r.Verdict())
			}
		})
	}
}

func TestStartRowOnlyWhereGatedAndFirst(t *testing.T) {
	spec := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 1000, N: 40, Seed: 1}
	pair := gatetest.Pair(spec, &spec, nil)
	sp := baseline.StartPair{Server: spec.Server(), Cache: baseline.CacheCold, Current: []float64{30}, Baseline: []float64{30}}
	if r := CompareWithStarts([]baseline.Pair{pair}, []baseline.StartPair{sp}, Options{}); len(r.Rows()) != 1 {
		t.Errorf("default gate: %d rows, want the point's alone", len(r.Rows()))
	}
	gated := Defaults()
	gated.Metrics = append(gated.Metrics, StartupSeconds)
	r := CompareWithStarts([]baseline.Pair{pair}, []baseline.StartPair{sp}, Options{Default: &gated})
	rows := r.Rows()
	if len(r.Groups) != 1 || len(rows) != 2 || !IsStartPoint(rows[0].Point) || IsStartPoint(rows[1].Point) {
		t.Fatalf("rows %+v, want the start row first, then the point's, in one group", rows)
	}
	for _, c := range rows[1].Cells {
		if c.Metric == StartupSeconds {
			t.Error("the point's row has a startup_seconds cell")
		}
	}
	if c := rows[0].Cells[0]; !strings.Contains(c.Reason, "cold start") {
		t.Errorf("reason %q, want the cache state compared", c.Reason)
	}
}

// CompareDirs reads the starts of the directory's summary.json and the
// history's, and judges them where the run gates startup_seconds.
func TestCompareDirsJudgesStarts(t *testing.T) {
	spec := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Seed: 1}
	res := writeResults(t, spec)
	cold := false
	name := sweep.ResultName(spec.Server(), spec.Point())
	if err := results.WriteSummary(res, &results.Summary{
		Points:     []results.PointStatus{{File: name, Status: results.StatusOK}},
		Accounting: results.NewAccounting([]results.ServerAccount{{Server: spec.Server().Stem(), GPUs: 1, StartS: 90, Started: true, CacheWarm: &cold}}),
	}); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	var hist []baseline.HistoryEntry
	for _, s := range []float64{30, 30.3, 29.8, 30.1} {
		hist = append(hist, baseline.HistoryEntry{GPUModel: gpu, Starts: map[string][]baseline.Start{spec.Server().Stem(): {{S: s, CacheWarm: &cold}}}})
	}
	baselinetest.WriteHistory(t, base, "r", hist)
	cfg := &config.Config{Runs: []config.Run{{Name: "r", Gate: config.Gate{Metrics: []string{StartupSeconds}}}}}
	rs, err := CompareDirs([]string{res}, base, cfg, Override{})
	if err != nil {
		t.Fatal(err)
	}
	rows := rs[0].Rows()
	if len(rows) != 2 || !IsStartPoint(rows[0].Point) {
		t.Fatalf("rows %+v, want the start's and the point's", rows)
	}
	if c := rows[0].Cells[0]; c.Verdict != stats.Regression || c.Base != 30.1 || c.Cur != 90 || c.Test != TestPrediction {
		t.Errorf("start cell %+v, want 30.1 -> 90 s regressed by the prediction test", c)
	}
}
