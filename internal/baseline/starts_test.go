package baseline

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// withAccounting writes dir's summary.json again with the given starts.
func withAccounting(t *testing.T, dir string, starts ...results.ServerAccount) {
	t.Helper()
	sum, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum.Accounting = results.NewAccounting(starts)
	if err := results.WriteSummary(dir, sum); err != nil {
		t.Fatal(err)
	}
}

func warmth(warm bool) *bool { return &warm }

func TestHistoryLineKeepsStartsAndGPUSeconds(t *testing.T) {
	res := resultsDir(t, h100)
	withAccounting(t, res,
		results.ServerAccount{Server: "llama_TP1_DP1", GPUs: 2, StartS: 31.234567891, Started: true, CacheWarm: warmth(false), MeasuringS: 100, HeldS: 150, GPUSeconds: 300},
		// A start that never became ready holds GPUs but has no start time.
		results.ServerAccount{Server: "llama_TP1_DP1", GPUs: 2, StartS: 5, Started: false, HeldS: 6, GPUSeconds: 12},
		// A paired A/B side and a server no result names are not this run's.
		results.ServerAccount{Server: "llama_TP1_DP1", Side: "baseline", Round: 1, GPUs: 2, StartS: 9, Started: true, HeldS: 50, GPUSeconds: 100},
		results.ServerAccount{Server: "qwen_TP1_DP1", GPUs: 1, StartS: 9, Started: true, HeldS: 50, GPUSeconds: 50},
	)
	base := t.TempDir()
	if _, err := Update(res, base); err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %v, %v", hist, err)
	}
	e := hist[0]
	starts := e.Starts["llama_TP1_DP1"]
	if len(e.Starts) != 1 || len(starts) != 1 || starts[0].S != 31.2346 || starts[0].Cache() != CacheCold {
		t.Errorf("starts %+v, want the one cold start that became ready, rounded to 6 digits", e.Starts)
	}
	want := GPUSeconds{Total: 312, Start: 72.469, Measuring: 200} // 2 GPUs x (31.2346 + 5) s starting, to the millisecond
	if e.GPUSeconds == nil || *e.GPUSeconds != want {
		t.Errorf("GPU-seconds %+v, want %+v", e.GPUSeconds, want)
	}
}

func TestHistoryLineWithoutAccounting(t *testing.T) {
	base := t.TempDir()
	if _, err := Update(resultsDir(t, h100), base); err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 || hist[0].Starts != nil || hist[0].GPUSeconds != nil {
		t.Errorf("history %+v, %v: want a line without starts", hist, err)
	}
}

func TestMatchStartsByCacheState(t *testing.T) {
	cold, warm := Start{S: 30, CacheWarm: warmth(false)}, Start{S: 10, CacheWarm: warmth(true)}
	line := func(gpu string, promoted bool, starts ...Start) HistoryEntry {
		return HistoryEntry{GPUModel: gpu, Promoted: &promoted, Starts: map[string][]Start{"llama_TP1_DP1": starts}}
	}
	scaled := func(s Start, f float64) Start { s.S *= f; return s }
	hist := []HistoryEntry{
		line(h100, true, cold),
		line(h100, true, scaled(warm, 1.1)),
		line(h100, true, scaled(cold, 1.2)),
		line(h100, true, warm),
		line(h100, false, scaled(warm, 5)), // a run the gate failed
		line("NVIDIA A100", true, scaled(warm, 3)),
	}
	for _, tc := range []struct {
		name    string
		hist    []HistoryEntry
		cur     Start
		base    []float64
		history []float64
		unlike  bool
	}{
		{name: "warm", hist: hist, cur: Start{S: 12, CacheWarm: warmth(true)}, base: []float64{10}, history: []float64{11, 10}},
		{name: "cold against the newest cold", hist: hist, cur: Start{S: 40, CacheWarm: warmth(false)}, base: []float64{36}, history: []float64{30, 36}},
		{name: "no kept cache, history of cold and warm", hist: hist, cur: Start{S: 40}, unlike: true},
		{name: "new", cur: Start{S: 40, CacheWarm: warmth(false)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := matchStart(sweep.Server{Run: "llama", TP: 1, DP: 1, PP: 1}, []Start{tc.cur}, true, tc.hist, h100)
			if !slices.Equal(p.Current, []float64{tc.cur.S}) || p.Cache != tc.cur.Cache() {
				t.Errorf("current %v %s, want %v %s", p.Current, p.Cache, tc.cur.S, tc.cur.Cache())
			}
			if !slices.Equal(p.Baseline, tc.base) || !slices.Equal(p.History, tc.history) {
				t.Errorf("baseline %v history %v, want %v and %v", p.Baseline, p.History, tc.base, tc.history)
			}
			if got := p.Unlike(); (got != "") != tc.unlike {
				t.Errorf("Unlike() = %q, want one: %v", got, tc.unlike)
			} else if tc.unlike && !strings.Contains(got, "cold starts and warm starts") {
				t.Errorf("Unlike() = %q, want it to name the states on record", got)
			}
		})
	}
}

func TestMatchStartsWithoutAStart(t *testing.T) {
	res := resultsDir(t, h100)
	cur, err := LoadResults(res)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := MatchStarts(res, cur, t.TempDir())
	if err != nil || len(ps) != 1 || !strings.Contains(ps[0].NoStart, "no accounting") {
		t.Errorf("no accounting: %+v, %v", ps, err)
	}
	withAccounting(t, res, results.ServerAccount{Server: "llama_TP1_DP1", GPUs: 1, StartS: 3, Started: false})
	ps, err = MatchStarts(res, cur, t.TempDir())
	if err != nil || len(ps) != 1 || !strings.Contains(ps[0].NoStart, "became ready") || len(ps[0].Current) != 0 {
		t.Errorf("failed start: %+v, %v", ps, err)
	}
	withAccounting(t, res, results.ServerAccount{Server: "llama_TP1_DP1", GPUs: 1, StartS: 3, Started: true})
	ps, err = MatchStarts(res, cur, t.TempDir())
	if err != nil || len(ps) != 1 || ps[0].NoStart != "" || !slices.Equal(ps[0].Current, []float64{3}) || ps[0].Cache != CacheUnknown {
		t.Errorf("a start: %+v, %v", ps, err)
	}
}
