package stats

import (
	"math"
	"slices"
)

// Quantile returns the q-quantile (0 <= q <= 1) of xs with linear
// interpolation between order statistics, numpy's default method and the one
// `vllm bench serve` uses for its percentiles (the median, for an even
// count, is the mean of the two middle values, as numpy.median gives it).
// It returns NaN for an empty slice. xs is not modified.
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

// QuantileAt is Quantile of n sorted values that at returns by index (0 is
// the smallest), so that values kept in another form (a histogram, say)
// need not be laid out in a slice. It returns NaN for n < 1.
func QuantileAt(n int, q float64, at func(i int) float64) float64 {
	if n < 1 {
		return math.NaN()
	}
	if q == 0.5 && n%2 == 0 {
		return (at(n/2-1) + at(n/2)) / 2
	}
	lo, frac := quantilePos(n, q)
	if lo+1 >= n || frac == 0 {
		return at(lo)
	}
	return lerp(at(lo), at(lo+1), frac)
}

// quantileSorted is Quantile on an already sorted slice.
func quantileSorted(sorted []float64, q float64) float64 {
	return QuantileAt(len(sorted), q, func(i int) float64 { return sorted[i] })
}

// lerp interpolates between a and b the way numpy does, from the nearer
// end, so that t = 0 and t = 1 give a and b exactly.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
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
