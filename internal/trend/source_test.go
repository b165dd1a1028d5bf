package trend

import (
	"math/rand/v2"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// withStarts adds to each entry a start of llama_TP1_DP1 (warm from run
// warmFrom on, the cache switching on; never when warmFrom < 0) whose cold
// starts take coldS, or slowS from run slowFrom on, and warm ones a third
// of that, with 1 % noise; and the run's GPU-seconds, 600 plus the start.
func withStarts(entries []baseline.HistoryEntry, seed uint64, warmFrom, slowFrom int, coldS, slowS float64) []baseline.HistoryEntry {
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range entries {
		s := coldS
		if slowFrom >= 0 && i >= slowFrom {
			s = slowS
		}
		warm := warmFrom >= 0 && i >= warmFrom
		if warm {
			s /= 3
		}
		s *= 1 + 0.01*rng.NormFloat64()
		entries[i].Starts = map[string][]baseline.Start{"llama_TP1_DP1": {{S: s, CacheWarm: &warm}}}
		entries[i].GPUSeconds = &baseline.GPUSeconds{Total: 600 + s, Start: s, Measuring: 550}
	}
	return entries
}

// seriesOf returns the run's series of metric labelled label.
func seriesOf(r Run, metric, label string) (Series, bool) {
	for _, s := range r.Series {
		if s.Metric == metric && s.Label == label {
			return s, true
		}
	}
	return Series{}, false
}

func TestStartSeries(t *testing.T) {
	tests := []struct {
		name               string
		warmFrom, slowFrom int
		wantCold, wantWarm int // values of each series
		changed            string
	}{
		// The cache switching on is no change point: cold and warm starts
		// are two series, each steady.
		{name: "cache switches on", warmFrom: 7, slowFrom: -1, wantCold: 7, wantWarm: 7},
		{name: "cold starts slow down", warmFrom: -1, slowFrom: 7, wantCold: 14, changed: "cold start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := withStarts(history(3, 14, -1, 1), 3, tt.warmFrom, tt.slowFrom, 30, 45)
			a, err := Analyze(writeHistory(t, "llama", entries), Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := a.Runs[0]
			cold, _ := seriesOf(r, gate.StartupSeconds, "cold start")
			warm, _ := seriesOf(r, gate.StartupSeconds, "warm start")
			if len(cold.Values) != tt.wantCold || len(warm.Values) != tt.wantWarm {
				t.Fatalf("%d cold and %d warm values, want %d and %d", len(cold.Values), len(warm.Values), tt.wantCold, tt.wantWarm)
			}
			if cold.Server != "llama_TP1_DP1" || cold.Unit != "s" || !cold.LowerIsBetter || cold.Title() != "startup (s)" {
				t.Errorf("cold series %+v titled %q", cold, cold.Title())
			}
			for _, s := range []Series{cold, warm} {
				switch {
				case s.Label == tt.changed && (len(s.Shifts) != 1 || !s.Shifts[0].Regression || s.Shifts[0].FirstAfter.Index != tt.slowFrom):
					t.Errorf("%s: shifts %+v, want one regression from run %d", s.Label, s.Shifts, tt.slowFrom)
				case s.Label != tt.changed && len(s.Shifts) != 0:
					t.Errorf("%s: shifts %+v, want none", s.Label, s.Shifts)
				}
			}
			gpu, ok := seriesOf(r, GPUSecondsMetric, allServersLabel)
			if !ok || gpu.Server != "llama" || len(gpu.Values) != 14 || !gpu.LowerIsBetter || gpu.Title() != "GPU time (GPU·s)" {
				t.Errorf("GPU-seconds series %+v (found %v)", gpu, ok)
			}
		})
	}
}

func TestOldHistoryHasNoStartSeries(t *testing.T) {
	a, err := Analyze(writeHistory(t, "llama", history(4, 8, -1, 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Runs[0].Series {
		if s.Metric == gate.StartupSeconds || s.Metric == GPUSecondsMetric {
			t.Errorf("a history without starts has the series %+v", s)
		}
	}
}

func TestKeepMarksAStartChange(t *testing.T) {
	entries := withStarts(history(5, 20, -1, 1), 5, -1, 10, 30, 45)
	det := stats.EDivisiveOptions{MinSegment: 3}
	marks := Keep(det)(entries)
	for i, m := range marks {
		if want := i >= 7 && i < 13; m != want {
			t.Errorf("line %d kept %v, want %v (the 3 runs either side of the change at 10)", i, m, want)
		}
	}
}
