package metrics

import (
	"math"
	"slices"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// itlHist holds the pooled inter-token latencies of many requests in memory
// that grows with the spread of the values, not with their number: a count
// per microsecond for the percentiles, and exact running moments for the
// mean and the standard deviation. The percentiles are those of numpy on
// the values rounded to the microsecond (0.0005 ms at most from the exact
// ones).
type itlHist struct {
	countByUs map[uint32]uint64
	n         uint64
	mean, m2  float64 // Welford's running mean and sum of squared deviations
}

// add records one ITL in seconds.
func (h *itlHist) add(vS float64) {
	if h.countByUs == nil {
		h.countByUs = make(map[uint32]uint64)
	}
	us := math.Round(vS * 1e6)
	us = min(max(us, 0), math.MaxUint32)
	h.countByUs[uint32(us)]++
	h.n++
	d := vS - h.mean
	h.mean += d / float64(h.n)
	h.m2 += d * (vS - h.mean)
}

// merge adds the values of o to h.
func (h *itlHist) merge(o *itlHist) {
	if o.n == 0 {
		return
	}
	if h.countByUs == nil {
		h.countByUs = make(map[uint32]uint64, len(o.countByUs))
	}
	for us, c := range o.countByUs {
		h.countByUs[us] += c
	}
	// Chan et al.'s pairwise update of the moments.
	n := h.n + o.n
	d := o.mean - h.mean
	h.m2 += o.m2 + d*d*float64(h.n)*float64(o.n)/float64(n)
	h.mean += d * float64(o.n) / float64(n)
	h.n = n
}

// stats returns the statistics of the recorded ITLs in milliseconds.
func (h *itlHist) stats() Stats {
	if h.n == 0 {
		return Stats{}
	}
	keys := make([]uint32, 0, len(h.countByUs))
	for us := range h.countByUs {
		keys = append(keys, us)
	}
	slices.Sort(keys)
	cum := make([]uint64, len(keys))
	var total uint64
	for i, us := range keys {
		total += h.countByUs[us]
		cum[i] = total
	}
	// at returns the k-th smallest value (0-based) in seconds.
	at := func(k uint64) float64 {
		i, _ := slices.BinarySearchFunc(cum, k+1, func(c, target uint64) int {
			switch {
			case c < target:
				return -1
			case c > target:
				return 1
			}
			return 0
		})
		return float64(keys[i]) / 1e6
	}
	n := int(h.n)
	byIndex := func(i int) float64 { return at(uint64(i)) }
	return Stats{
		MeanMs:   h.mean * 1000,
		MedianMs: stats.QuantileAt(n, 0.5, byIndex) * 1000,
		StdMs:    math.Sqrt(h.m2/float64(h.n)) * 1000,
		P90Ms:    stats.QuantileAt(n, 0.9, byIndex) * 1000,
		P99Ms:    stats.QuantileAt(n, 0.99, byIndex) * 1000,
	}
}
