package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// Defaults of the gate, for a run whose config leaves a key out.
const (
	// DefaultTolerance is the smallest relative change the gate reports.
	DefaultTolerance = 0.05
	// DefaultAlpha is the false-discovery rate over a whole report.
	DefaultAlpha = 0.05
)

// What a regression on a point measured with a throttled GPU does to the
// check (gate.on_throttle).
const (
	// OnThrottleWarn: the regression is reported with a warning and does
	// not fail the check (the default).
	OnThrottleWarn = "warn"
	// OnThrottleFail: the regression fails the check like any other.
	OnThrottleFail = "fail"
)

// DefaultMetrics returns the metrics the gate judges unless gate.metrics
// says otherwise.
func DefaultMetrics() []string {
	return []string{"median_ttft_ms", "median_tpot_ms", "output_throughput"}
}

// Settings are one run's gate, with every default filled in.
type Settings struct {
	// Metrics are the gated metrics, by result-file key.
	Metrics []string
	// Tolerance is the smallest relative change that counts (0.05 = 5%).
	Tolerance float64
	// Alpha is the false-discovery rate over the whole report.
	Alpha float64
	// PriorCV is, per metric, the run-to-run coefficient of variation
	// assumed while the history is too short to measure it (see
	// NoHistoryAllowance); a metric not in it gets no allowance.
	PriorCV map[string]float64
	// OnThrottle is OnThrottleWarn or OnThrottleFail.
	OnThrottle string
	// RequireAllBaselinePoints makes a baseline point the config does not
	// plan Missing instead of a note (Report.NotMeasured).
	RequireAllBaselinePoints bool
}

// Defaults returns the settings of a run whose config has no gate section.
func Defaults() Settings {
	return Settings{Metrics: DefaultMetrics(), Tolerance: DefaultTolerance, Alpha: DefaultAlpha, PriorCV: DefaultPriorCV(), OnThrottle: OnThrottleWarn}
}

// Resolve fills the keys a config's gate section leaves out with the
// defaults. A key written with an explicit zero (tolerance: 0) keeps it.
func Resolve(g config.Gate) Settings {
	s := Defaults()
	if g.Metrics != nil {
		s.Metrics = slices.Clone(g.Metrics)
	}
	if g.Tolerance != nil {
		s.Tolerance = *g.Tolerance
	}
	if g.Alpha != nil {
		s.Alpha = *g.Alpha
	}
	for metric, cv := range g.PriorCV {
		s.PriorCV[metric] = cv
	}
	if g.OnThrottle != "" {
		s.OnThrottle = g.OnThrottle
	}
	s.RequireAllBaselinePoints = g.RequireAllBaselinePoints
	return s
}

// Override holds overrides of every run's gate settings, from the command
// line or the action's inputs; nil fields keep each run's own values.
type Override struct {
	Metrics   []string
	Tolerance *float64
	Alpha     *float64
}

// Apply returns s with the overrides applied.
func (o Override) Apply(s Settings) Settings {
	if o.Metrics != nil {
		s.Metrics = slices.Clone(o.Metrics)
	}
	if o.Tolerance != nil {
		s.Tolerance = *o.Tolerance
	}
	if o.Alpha != nil {
		s.Alpha = *o.Alpha
	}
	return s
}

// CheckTolerance returns an error when v is not a tolerance: a fraction
// in [0, 1).
func CheckTolerance(v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("must be in [0, 1) as a fraction (0.05 = 5%%), got %g", v)
	}
	return nil
}

// CheckAlpha returns an error when v is not a false-discovery rate in
// (0, 1).
func CheckAlpha(v float64) error {
	if !(v > 0 && v < 1) {
		return fmt.Errorf("must be in (0, 1), got %g", v)
	}
	return nil
}

// CheckMetrics returns an error naming the first unknown metric in names
// and listing the valid ones, or nil. An empty list is an error too.
func CheckMetrics(names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("must list at least one metric (valid: %s)", strings.Join(MetricNames(), ", "))
	}
	for _, n := range names {
		if !ValidMetric(n) {
			return fmt.Errorf("unknown metric %q (valid: %s)", n, strings.Join(MetricNames(), ", "))
		}
	}
	return nil
}

// CheckConfig judges the gate section of every run of a config, reporting
// each problem at its key; it is the config.Check that every loader of a
// config passes, so gate rules have one owner.
func CheckConfig(cfg *config.Config, add func(path, format string, args ...any)) {
	for i, r := range cfg.Runs {
		p := fmt.Sprintf("runs[%d].gate", i)
		g := r.Gate
		if g.Metrics != nil && len(g.Metrics) == 0 {
			add(p+".metrics", "%v", CheckMetrics(nil))
		}
		for j, m := range g.Metrics {
			if !ValidMetric(m) {
				add(fmt.Sprintf("%s.metrics[%d]", p, j), "unknown metric %q (valid: %s)", m, strings.Join(MetricNames(), ", "))
			}
		}
		if g.Tolerance != nil {
			if err := CheckTolerance(*g.Tolerance); err != nil {
				add(p+".tolerance", "%v", err)
			}
		}
		if g.Alpha != nil {
			if err := CheckAlpha(*g.Alpha); err != nil {
				add(p+".alpha", "%v", err)
			}
		}
		if g.OnThrottle != "" && g.OnThrottle != OnThrottleWarn && g.OnThrottle != OnThrottleFail {
			add(p+".on_throttle", "must be %s or %s, got %q", OnThrottleFail, OnThrottleWarn, g.OnThrottle)
		}
		for metric, cv := range g.PriorCV {
			key := p + ".prior_cv." + metric
			if !ValidMetric(metric) {
				add(key, "unknown metric (valid: %s)", strings.Join(MetricNames(), ", "))
			} else if !(cv >= 0 && cv < 1) {
				add(key, "must be a coefficient of variation in [0, 1) (0.05 = 5%%), got %g", cv)
			}
		}
	}
}

// Options configure Compare. The zero value gates every run with the
// defaults.
type Options struct {
	// Gates holds the settings per run name; runs not in it take Default.
	Gates map[string]Settings
	// Default is the gate of runs not in Gates; a zero value means
	// Defaults().
	Default *Settings
	// Seed seeds the bootstrap; each cell mixes in its own name, so a cell's
	// interval does not depend on the other cells.
	Seed uint64
	// Resamples is the number of bootstrap resamples (0: the default).
	Resamples int
}

// settings returns the gate settings of a run.
func (o Options) settings(run string) Settings {
	if g, ok := o.Gates[run]; ok {
		return g
	}
	if o.Default != nil {
		return *o.Default
	}
	return Defaults()
}

// SettingsOf returns the resolved gate settings of every run of a config,
// with the overrides applied (nil config: none).
func SettingsOf(cfg *config.Config, ov Override) map[string]Settings {
	gates := map[string]Settings{}
	if cfg == nil {
		return gates
	}
	for _, r := range cfg.Runs {
		gates[r.Name] = ov.Apply(Resolve(r.Gate))
	}
	return gates
}
