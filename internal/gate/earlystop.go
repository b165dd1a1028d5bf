package gate

import (
	"math"
	"path/filepath"
	"sync"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// RunToRunCV returns, for bench.precision auto, the run-to-run CV the gate
// would judge a point's metric with (by run name, result file name and
// metric key): the CV of the point's history under baselinesDir when it
// holds stats.MinPredictionHistory runs or more, else the run's prior CV
// (gate.prior_cv). The GPU model a run will measure on is not known before
// it starts, so the smallest over the history's GPU models and the prior
// is taken: the strictest target, which never leaves a point noisier than
// the gate assumes. A history that cannot be read gives 0 (no target: the
// point sends every num_prompts; the comparison reports the error).
// baselinesDir "" has no history.
func RunToRunCV(cfg *config.Config, baselinesDir string) func(run, name, metric string) float64 {
	settings := SettingsOf(cfg, Override{})
	var mu sync.Mutex
	histories := map[string][]baseline.HistoryEntry{} // by run, read once
	unreadable := map[string]bool{}
	return func(run, name, metric string) float64 {
		cv := settings[run].PriorCV[metric]
		if baselinesDir == "" {
			return cv
		}
		mu.Lock()
		defer mu.Unlock()
		entries, ok := histories[run]
		if !ok && !unreadable[run] {
			var err error
			entries, err = baseline.ReadHistory(filepath.Join(baseline.Dir(baselinesDir, run), baseline.HistoryFile))
			histories[run], unreadable[run] = entries, err != nil
		}
		if unreadable[run] {
			return 0
		}
		for _, h := range baseline.PointHistories(entries, name) {
			if values := h[metric]; len(values) >= stats.MinPredictionHistory {
				if c := stats.CV(values); c >= 0 {
					cv = math.Min(cv, c)
				}
			}
		}
		return cv
	}
}
