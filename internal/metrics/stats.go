package metrics

import (
	"math"
	"slices"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Stats describes one latency metric in milliseconds, as vLLM reports it.
// Every field is 0 when there is no sample.
type Stats struct {
	// MeanMs is the arithmetic mean.
	MeanMs float64 `json:"mean_ms"`
	// MedianMs is the median.
	MedianMs float64 `json:"median_ms"`
	// StdMs is the population standard deviation (numpy's ddof=0).
	StdMs float64 `json:"std_ms"`
	// P90Ms and P99Ms are percentiles with numpy's default linear
	// interpolation.
	P90Ms float64 `json:"p90_ms"`
	P99Ms float64 `json:"p99_ms"`
}

// Describe returns the statistics of samples given in seconds, reported in
// milliseconds. samples is sorted in place.
func Describe(samplesS []float64) Stats {
	if len(samplesS) == 0 {
		return Stats{}
	}
	slices.Sort(samplesS)
	mean, std := meanStd(samplesS)
	at := func(i int) float64 { return samplesS[i] }
	n := len(samplesS)
	return Stats{
		MeanMs:   mean * 1000,
		MedianMs: stats.QuantileAt(n, 0.5, at) * 1000,
		StdMs:    std * 1000,
		P90Ms:    stats.QuantileAt(n, 0.9, at) * 1000,
		P99Ms:    stats.QuantileAt(n, 0.99, at) * 1000,
	}
}

// meanStd returns the mean and population standard deviation of values.
func meanStd(values []float64) (mean, std float64) {
	var sum float64
	for _, v := range values {
		sum += v
	}
	mean = sum / float64(len(values))
	var ss float64
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(values)))
}
