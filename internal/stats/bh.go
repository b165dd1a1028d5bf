package stats

import (
	"math"
	"sort"
)

// AdjustBH returns the Benjamini-Hochberg adjusted p-values of ps, in the
// order given: comparing them with alpha controls the false-discovery rate of
// the whole family at alpha. NaN entries (cells without a test) are left as
// NaN and do not count towards the family size.
func AdjustBH(ps []float64) []float64 {
	out := make([]float64, len(ps))
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		out[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	m := float64(len(idx))
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	running := 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		adj := ps[i] * m / float64(k+1)
		running = math.Min(running, adj)
		out[i] = running
	}
	return out
}
