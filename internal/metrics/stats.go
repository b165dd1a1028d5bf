package metrics

import (
	"math"
	"slices"
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
	return Stats{
		MeanMs:   mean * 1000,
		MedianMs: Median(samplesS) * 1000,
		StdMs:    std * 1000,
		P90Ms:    Percentile(samplesS, 90) * 1000,
		P99Ms:    Percentile(samplesS, 99) * 1000,
	}
}

// Percentile returns the p-th percentile (0..100) of sorted values with
// numpy's default "linear" method: the value at rank p/100 x (n-1),
// interpolated between its two neighbours. It returns 0 for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := p / 100 * float64(n-1)
	lo := int(math.Floor(rank))
	lo = min(max(lo, 0), n-1)
	hi := min(lo+1, n-1)
	return lerp(sorted[lo], sorted[hi], rank-float64(lo))
}

// Median returns the median of sorted values, the mean of the two middle
// ones for an even count, as numpy.median does; 0 for no values.
func Median(sorted []float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return sorted[n/2]
	default:
		return (sorted[n/2-1] + sorted[n/2]) / 2
	}
}

// lerp interpolates between a and b the way numpy does, from the nearer end,
// so that t = 0 and t = 1 give a and b exactly.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
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
