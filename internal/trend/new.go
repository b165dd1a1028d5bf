package trend

import (
	"fmt"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// markNew marks the change points that the newest run revealed: those of
// series that the newest run measured, with no change point within
// MinSegment runs of them in any series of the history as it stood on any
// of the MinSegment nights before. One slowdown moves several metrics and
// points, which need not all cross the threshold on the same night, and
// while a change is small next to the noise its detection can come and go
// for a night or two and its place wander by a few runs; none of that is
// news. The earlier nights are analysed only when there is a change point
// to judge.
func markNew(run Run, n int, det stats.EDivisiveOptions) error {
	found := false
	for _, s := range run.Series {
		found = found || len(s.Shifts) > 0
	}
	if !found {
		return nil
	}
	var seen []int // history indexes of the first runs after earlier changes
	for back := 1; back <= det.MinSegment && n-back > 0; back++ {
		for _, s := range run.Series {
			var xs []float64
			var runs []int
			for _, v := range s.Values {
				if v.Run < n-back {
					xs, runs = append(xs, v.Value), append(runs, v.Run)
				}
			}
			cps, err := stats.EDivisive(xs, det)
			if err != nil {
				return fmt.Errorf("run %q, %s: %w", run.Name, s.name(), err)
			}
			for _, c := range cps {
				seen = append(seen, runs[c.Index])
			}
		}
	}
	for i := range run.Series {
		s := &run.Series[i]
		newest := s.Values[len(s.Values)-1].Run == n-1
		for k := range s.Shifts {
			sh := &s.Shifts[k]
			sh.New = newest && !nearAny(seen, sh.FirstAfter.Index, det.MinSegment)
		}
	}
	return nil
}

// nearAny reports whether a run index of runs lies within slack runs of
// index: the same change, its place moved by one more run. While a step is
// small next to the noise its estimated place wanders by a few runs from
// night to night; a slack of the minimum segment keeps it from counting as
// new each time.
func nearAny(runs []int, index, slack int) bool {
	for _, r := range runs {
		if r >= index-slack && r <= index+slack {
			return true
		}
	}
	return false
}
