package trend

import (
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Keep returns the function that tells history compaction which lines a
// change point needs: for every statistic of every point, among the lines
// of each GPU model, the MinSegment runs on either side of each change
// point that det finds. With them kept the shift stays detectable and its
// first run stays named after older lines are dropped.
func Keep(det stats.EDivisiveOptions) baseline.KeepFunc {
	det = withDetectDefaults(det)
	return func(entries []baseline.HistoryEntry) []bool {
		marks := make([]bool, len(entries))
		byGPU := map[string][]int{}
		for i, e := range entries {
			byGPU[e.GPUModel] = append(byGPU[e.GPUModel], i)
		}
		for _, idx := range byGPU {
			group := make([]baseline.HistoryEntry, len(idx))
			for k, i := range idx {
				group[k] = entries[i]
			}
			for _, point := range pointNames(group) {
				for _, metric := range metricNames(group, point) {
					var at []int
					var xs []float64
					for k, e := range group {
						if v, ok := e.Points[point][metric]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
							at = append(at, idx[k])
							xs = append(xs, v)
						}
					}
					cps, err := stats.EDivisive(xs, det)
					if err != nil {
						continue // not finite: filtered above; bad options: nothing to keep
					}
					for _, cp := range cps {
						for j := max(0, cp.Index-det.MinSegment); j < min(len(at), cp.Index+det.MinSegment); j++ {
							marks[at[j]] = true
						}
					}
				}
			}
		}
		return marks
	}
}

// metricNames returns the statistics recorded for point in any entry.
func metricNames(entries []baseline.HistoryEntry, point string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		for m := range e.Points[point] {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}
