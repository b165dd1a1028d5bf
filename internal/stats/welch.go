package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ErrTooFew is returned by tests that need more values than they were given.
var ErrTooFew = errors.New("too few values")

// TTestResult is the outcome of a two-sided t-test.
type TTestResult struct {
	// T is the t statistic, positive when the second sample (or the new
	// value) is larger.
	T float64
	// DF is the degrees of freedom (Welch-Satterthwaite for Welch's test).
	DF float64
	// P is the two-sided p-value.
	P float64
}

// WelchTTest tests whether x and y have the same mean without assuming equal
// variances. Both samples need at least two values. When both have zero
// variance, P is 1 for equal means and 0 otherwise.
func WelchTTest(x, y []float64) (TTestResult, error) {
	if len(x) < 2 || len(y) < 2 {
		return TTestResult{}, fmt.Errorf("welch t-test: %w: need 2 per side, got %d and %d", ErrTooFew, len(x), len(y))
	}
	mx, my, se, df := welchParts(x, y)
	if se == 0 {
		if mx == my {
			return TTestResult{P: 1, DF: math.Inf(1)}, nil
		}
		return TTestResult{T: math.Copysign(math.Inf(1), my-mx), DF: math.Inf(1), P: 0}, nil
	}
	t := (my - mx) / se
	return TTestResult{T: t, DF: df, P: twoSidedT(t, df)}, nil
}

// welchParts returns the two means, the standard error of their difference
// and the Welch-Satterthwaite degrees of freedom (NaN when se is 0).
func welchParts(x, y []float64) (mx, my, se, df float64) {
	mx, sx := meanSD(x)
	my, sy := meanSD(y)
	vx := sx * sx / float64(len(x))
	vy := sy * sy / float64(len(y))
	se = math.Sqrt(vx + vy)
	df = (vx + vy) * (vx + vy) / (vx*vx/float64(len(x)-1) + vy*vy/float64(len(y)-1))
	return mx, my, se, df
}

// twoSidedT is the two-sided tail probability of t under Student's t with
// df degrees of freedom.
func twoSidedT(t, df float64) float64 {
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	return math.Min(1, 2*dist.Survival(math.Abs(t)))
}

// WelchRelChangeCI returns the confidence interval at level of the relative
// change of means mean(y)/mean(x) - 1 implied by Welch's test:
// (diff ± t(df)·se) / |mean(x)|. It treats mean(x) as exact, which is a
// good approximation while x's standard error is small next to its mean.
func WelchRelChangeCI(x, y []float64, level float64) (Interval, error) {
	if len(x) < 2 || len(y) < 2 {
		return Interval{}, fmt.Errorf("welch interval: %w: need 2 per side, got %d and %d", ErrTooFew, len(x), len(y))
	}
	mx, my, se, df := welchParts(x, y)
	if mx == 0 {
		return Interval{}, errors.New("welch interval: the first sample's mean is zero")
	}
	half := 0.0
	if se > 0 {
		half = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.5+level/2) * se
	}
	d := my - mx
	return Interval{Lo: (d - half) / math.Abs(mx), Hi: (d + half) / math.Abs(mx), Level: level}, nil
}

// WelchRelSensitivity returns the standard error of the relative change of
// means mean(y)/mean(x) - 1 as Welch's test sees it (se/|mean(x)|) and the
// Welch-Satterthwaite degrees of freedom (+Inf when both variances are 0).
func WelchRelSensitivity(x, y []float64) (Sensitivity, error) {
	if len(x) < 2 || len(y) < 2 {
		return Sensitivity{}, fmt.Errorf("welch sensitivity: %w: need 2 per side, got %d and %d", ErrTooFew, len(x), len(y))
	}
	mx, _, se, df := welchParts(x, y)
	if mx == 0 {
		return Sensitivity{}, errors.New("welch sensitivity: the first sample's mean is zero")
	}
	if se == 0 {
		df = math.Inf(1)
	}
	return Sensitivity{SE: se / math.Abs(mx), DF: df}, nil
}

// PredictionRelSensitivity returns the standard error of one new run
// relative to the history's mean, sd·sqrt(1+1/n)/|mean| (the prediction
// test's), with n-1 degrees of freedom.
func PredictionRelSensitivity(history []float64) (Sensitivity, error) {
	n := len(history)
	if n < 2 {
		return Sensitivity{}, fmt.Errorf("prediction sensitivity: %w: need 2, got %d", ErrTooFew, n)
	}
	mean, sd := meanSD(history)
	if mean == 0 {
		return Sensitivity{}, errors.New("prediction sensitivity: the history's mean is zero")
	}
	return Sensitivity{SE: sd * math.Sqrt(1+1/float64(n)) / math.Abs(mean), DF: float64(n - 1)}, nil
}
