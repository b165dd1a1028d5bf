package trend

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Keep returns the function that tells history compaction which lines a
// change point needs: for every series (each statistic of each point, the
// server starts and the GPU-seconds), among the lines of each GPU model,
// the MinSegment runs on either side of each change point that det finds.
// With them kept the shift stays detectable and its
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
			for _, src := range sources("", group, func(point string) []string { return metricNames(group, point) }) {
				vals := src.values(group)
				xs := make([]float64, len(vals))
				for k, v := range vals {
					xs[k] = v.Value
				}
				cps, err := stats.EDivisive(xs, det)
				if err != nil {
					continue // bad options: nothing to keep
				}
				for _, cp := range cps {
					for j := max(0, cp.Index-det.MinSegment); j < min(len(vals), cp.Index+det.MinSegment); j++ {
						marks[idx[vals[j].Run]] = true
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
