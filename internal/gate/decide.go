package gate

import (
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Where the run-to-run noise of a cell's decision interval comes from, as
// Cell.Noise names it.
const (
	// NoiseHistory: the spread of the accepted runs in history.jsonl.
	NoiseHistory = "history"
	// NoiseRepeats: the spread of the per-repeat values of both sides.
	NoiseRepeats = "repeats"
	// NoisePrior: the prior CV (gate.prior_cv), for want of either.
	NoisePrior = "prior"
)

// evidence is what a cell's tests saw, kept until the adjusted p-values
// are known.
type evidence struct {
	// tests holds one sensitivity per test whose p-value the cell takes.
	tests []stats.Sensitivity
	// within is the standard error of the change within the run (from the
	// bootstrap interval); 0 for per-repeat metrics, whose values are
	// themselves runs; NaN when unknown.
	within float64
	// between is the standard error that run-to-run noise adds, estimated
	// with betweenDF degrees of freedom (+Inf for the prior).
	between, betweenDF float64
	// stoppedEarly is true when the current run's point sent fewer than
	// num_prompts requests (bench.precision).
	stoppedEarly bool
}

// runToRun returns the standard error that run-to-run noise adds to a
// change between two runs, and where it comes from: the history's spread,
// sqrt(2)·CV, with stats.MinPredictionHistory runs or more, else the prior
// CV, sqrt(2)·prior (what the gate assumes until history arrives, as the
// no-history allowance does). The per-repeat values of both sides, b and
// x, raise it when Welch's standard error on them is larger: repeats share
// one server start, so they can show more noise than assumed, never less.
func runToRun(history []float64, prior float64, b, x []float64) (stats.Sensitivity, string) {
	se, from := stats.Sensitivity{SE: math.Sqrt2 * prior, DF: math.Inf(1)}, NoisePrior
	if len(history) >= stats.MinPredictionHistory {
		if cv := stats.CV(history); !math.IsNaN(cv) {
			se, from = stats.Sensitivity{SE: math.Sqrt2 * cv, DF: float64(len(history) - 1)}, NoiseHistory
		}
	}
	if s, err := stats.WelchRelSensitivity(b, x); err == nil && s.SE > se.SE {
		se, from = s, NoiseRepeats
	}
	return se, from
}

// repeatValuesOf returns the per-repeat values of a metric on both sides:
// its samples for a per-repeat metric, the per-repeat medians for the
// latency medians, none otherwise.
func repeatValuesOf(m Metric, base, cur *results.File) (b, x []float64) {
	switch {
	case m.Source == PerRepeat:
		return m.Samples(base), m.Samples(cur)
	case m.repeats != nil:
		return m.repeats(base), m.repeats(cur)
	}
	return nil, nil
}

// decide gives a cell that has none its verdict, decision interval and
// detectable change, once its adjusted p-value is known. alpha is the
// run's false-discovery rate and tests the number of p-values adjusted
// together: the detectable change is stated at alpha/tests, the level
// Benjamini-Hochberg holds a lone change to.
func (c *Cell) decide(alpha float64, tests int) {
	if c.Verdict != "" {
		return
	}
	within := c.ev.within
	if c.Noise == NoiseHistory && !c.ev.stoppedEarly {
		// The history's spread is that of this very statistic from one
		// run to the next, its within-run sampling noise included: the
		// interval is the prediction interval of the current value. The
		// bootstrap's within-run error is left out, so it is not counted
		// twice; it assumes independent requests, which a closed loop
		// does not send (queued requests share their waits), and for a
		// median between two modes of the TTFT it reads 30 % and more
		// where six runs of history agree within 1 %. A point stopped
		// early (bench.precision) keeps it: it sent fewer requests than
		// the history's runs, so their spread understates its noise.
		within = 0
	}
	total := stats.CombineSE(within, c.ev.between)
	if !math.IsNaN(total) && !math.IsNaN(c.Change) {
		iv := stats.EquivalenceInterval(c.Change, []stats.Sensitivity{
			{SE: within, DF: math.Inf(1)}, {SE: c.ev.between, DF: c.ev.betweenDF},
		}, alpha)
		c.Decision = &iv
	}
	known := total
	if math.IsNaN(known) {
		known = c.ev.between
	}
	c.Detectable = stats.Detectable(c.ev.tests, alpha/float64(max(tests, 1)), stats.DetectablePower, c.Tolerance, known)
	c.Verdict = stats.Classify(stats.Evidence{
		Change: c.Change, LowerIsBetter: c.LowerIsBetter,
		P: c.PAdj, Alpha: alpha, Tolerance: c.Tolerance, Bound: c.Bound,
		Interval: c.CI, Decision: c.Decision,
	})
}
