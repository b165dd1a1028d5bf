package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// MinPredictionHistory is the fewest history values the gate uses for a
// prediction interval; with fewer, the t quantile is so wide (12.7 for two
// values at 95%) that nothing could be flagged.
const MinPredictionHistory = 3

// Interval is a two-sided interval [Lo, Hi] at confidence Level.
type Interval struct {
	Lo, Hi float64
	// Level is the confidence level, e.g. 0.95.
	Level float64
}

// Contains reports whether v lies within the interval, ends included.
func (iv Interval) Contains(v float64) bool { return v >= iv.Lo && v <= iv.Hi }

// PredictionInterval returns the interval that holds a new independent draw
// from the distribution of history with probability level, assuming it is
// normal: mean ± t(n-1) · s · sqrt(1 + 1/n). It needs two values at least.
func PredictionInterval(history []float64, level float64) (Interval, error) {
	n := len(history)
	if n < 2 {
		return Interval{}, fmt.Errorf("prediction interval: %w: need 2, got %d", ErrTooFew, n)
	}
	mean, sd := meanSD(history)
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.5 + level/2)
	half := tq * sd * math.Sqrt(1+1/float64(n))
	return Interval{Lo: mean - half, Hi: mean + half, Level: level}, nil
}

// PredictionTest returns the two-sided p-value of x as a new draw from the
// distribution of history: the test that PredictionInterval inverts, so x
// lies outside the interval at level exactly when P < 1-level.
func PredictionTest(history []float64, x float64) (TTestResult, error) {
	n := len(history)
	if n < 2 {
		return TTestResult{}, fmt.Errorf("prediction test: %w: need 2, got %d", ErrTooFew, n)
	}
	mean, sd := meanSD(history)
	df := float64(n - 1)
	se := sd * math.Sqrt(1+1/float64(n))
	if se == 0 {
		if x == mean {
			return TTestResult{DF: df, P: 1}, nil
		}
		return TTestResult{T: math.Copysign(math.Inf(1), x-mean), DF: df, P: 0}, nil
	}
	t := (x - mean) / se
	return TTestResult{T: t, DF: df, P: twoSidedT(t, df)}, nil
}
