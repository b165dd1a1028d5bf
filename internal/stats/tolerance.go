package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// History-based tolerance.
const (
	// MinNoiseHistory is the fewest history values from which NoiseTolerance
	// estimates the run-to-run noise; fewer give too rough a CV.
	MinNoiseHistory = 5
	// NoiseFactor multiplies the history's coefficient of variation. The
	// difference of two runs has a standard deviation of about sqrt(2)·CV,
	// so 3·CV is about two of those: a change that size is rarely noise.
	NoiseFactor = 3
)

// NoiseTolerance returns the tolerance to use given the configured one and
// the history of a statistic (one value per accepted run): with at least
// MinNoiseHistory values it is max(tolerance, NoiseFactor·CV(history)), so a
// metric that varies from run to run more than the tolerance allows is not
// flagged for its own noise; otherwise it is the configured tolerance.
func NoiseTolerance(tolerance float64, history []float64) float64 {
	if len(history) < MinNoiseHistory {
		return tolerance
	}
	cv := CV(history)
	if math.IsNaN(cv) {
		return tolerance
	}
	return math.Max(tolerance, NoiseFactor*cv)
}

// DetectableChange returns the smallest relative change that a two-sided
// test at level alpha detects with the given power (e.g. 0.8) when each run
// of the statistic varies with coefficient of variation cv:
// (z(1-alpha/2) + z(power)) · sqrt(2) · cv.
func DetectableChange(cv, alpha, power float64) float64 {
	if math.IsNaN(cv) {
		return math.NaN()
	}
	z := distuv.UnitNormal.Quantile(1-alpha/2) + distuv.UnitNormal.Quantile(power)
	return z * math.Sqrt2 * cv
}
