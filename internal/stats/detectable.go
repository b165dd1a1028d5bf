package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DetectablePower is the power at which a cell's detectable change is
// stated: the change it would flag four times in five.
const DetectablePower = 0.8

// Sensitivity is what one test of a cell sees: the standard error of the
// relative change as that test measures it, and its degrees of freedom
// (+Inf for a statistic taken as normal).
type Sensitivity struct {
	SE, DF float64
}

// Detectable returns the smallest relative change in the bad direction that
// a cell flags with probability power. A cell is flagged when every one of
// its tests rejects no change at level alpha (two-sided; the cell keeps the
// largest of their p-values) and its measured change passes tolerance. So
// it is the largest of
//
//	(t(1-alpha/2, df) + t(power, df)) · SE   for each test, and
//	tolerance + z(power) · total,
//
// where total is the standard error of the measured change with the
// run-to-run noise (NaN when unknown: the tolerance alone). The first is
// the usual approximation of a shifted test statistic's power with
// Student's quantiles in place of the normal ones; a test without a
// standard error gives +Inf.
func Detectable(tests []Sensitivity, alpha, power, tolerance, total float64) float64 {
	d := tolerance
	if !math.IsNaN(total) {
		d += quantileDF(power, math.Inf(1)) * total
	}
	for _, t := range tests {
		if math.IsNaN(t.SE) || math.IsNaN(t.DF) {
			return math.Inf(1)
		}
		d = math.Max(d, (quantileDF(1-alpha/2, t.DF)+quantileDF(power, t.DF))*t.SE)
	}
	return d
}

// EquivalenceInterval returns the interval at level 1-2·alpha of a change
// whose error is the sum of independent parts, each a standard error with
// its degrees of freedom: change ± sqrt(Σ (t(1-alpha, df)·se)²). Its two
// ends are the bounds of two one-sided tests: the change lies within
// ±bound at level alpha when the interval does. Scaling each part by its
// own quantile keeps a part estimated from few runs (two repeats, three
// history runs) as wide as its own t interval would be.
func EquivalenceInterval(change float64, parts []Sensitivity, alpha float64) Interval {
	sum := 0.0
	for _, p := range parts {
		if p.SE == 0 {
			continue
		}
		h := quantileDF(1-alpha, p.DF) * p.SE
		sum += h * h
	}
	h := math.Sqrt(sum)
	return Interval{Lo: change - h, Hi: change + h, Level: 1 - 2*alpha}
}

// IntervalSE returns the standard error that a two-sided interval at its
// level implies for a normal statistic: its width over 2·z(0.5+level/2).
func IntervalSE(iv Interval) float64 {
	return (iv.Hi - iv.Lo) / (2 * quantileDF(0.5+iv.Level/2, math.Inf(1)))
}

// CombineSE returns sqrt(a² + b²), the standard error of a sum of two
// independent parts; a NaN part makes it NaN.
func CombineSE(a, b float64) float64 { return math.Hypot(a, b) }

// quantileDF is the p-quantile of Student's t with df degrees of freedom,
// or of the standard normal when df is infinite.
func quantileDF(p, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return distuv.UnitNormal.Quantile(p)
	}
	return tQuantile(p, df)
}
