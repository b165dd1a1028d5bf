package stats

import (
	"math"
	"slices"
)

// Quantile returns the q-quantile (0 <= q <= 1) of xs with linear
// interpolation between order statistics, numpy's default method and the one
// `vllm bench serve` uses for its percentiles. It returns NaN for an empty
// slice. xs is not modified.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	return quantileSorted(sorted, q)
}

// Median returns the 0.5-quantile of xs, or NaN for an empty slice.
func Median(xs []float64) float64 { return Quantile(xs, 0.5) }

// quantileSorted is Quantile on an already sorted slice.
func quantileSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	lo, frac := quantilePos(n, q)
	if lo+1 >= n || frac == 0 {
		return sorted[lo]
	}
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// quantilePos returns the lower order-statistic index and the interpolation
// weight of the q-quantile of n sorted values.
func quantilePos(n int, q float64) (lo int, frac float64) {
	q = math.Min(math.Max(q, 0), 1)
	h := float64(n-1) * q
	lo = int(math.Floor(h))
	return lo, h - float64(lo)
}

// CV returns the coefficient of variation of xs: the sample standard
// deviation (n-1 in the denominator) over the absolute mean. It returns NaN
// for fewer than two values or a zero mean.
func CV(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	mean, sd := meanSD(xs)
	if mean == 0 {
		return math.NaN()
	}
	return sd / math.Abs(mean)
}

// RelChange returns (cur-base)/base, the signed relative change from base to
// cur; NaN when base is zero or either value is NaN.
func RelChange(base, cur float64) float64 {
	if base == 0 || math.IsNaN(base) || math.IsNaN(cur) {
		return math.NaN()
	}
	return (cur - base) / math.Abs(base)
}
