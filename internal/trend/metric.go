package trend

import (
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

// lowerIsBetter reports whether smaller values of a history statistic are
// better, as the gate's catalogue says; a statistic it does not know is a
// latency when named *_ms. Fewer GPU-seconds are better: the same sweep
// cost less.
func lowerIsBetter(metric string) bool {
	if metric == GPUSecondsMetric {
		return true
	}
	if m, ok := gate.LookupMetric(metric); ok {
		return m.LowerIsBetter
	}
	return strings.HasSuffix(metric, "_ms")
}

// unitOf returns the unit of a history statistic for labels.
func unitOf(metric string) string {
	if metric == GPUSecondsMetric {
		return "GPU·s"
	}
	if m, ok := gate.LookupMetric(metric); ok {
		return m.Unit
	}
	if strings.HasSuffix(metric, "_ms") {
		return "ms"
	}
	return ""
}

// MetricTitle names a history statistic for people (gate.MetricTitle):
// median_ttft_ms reads "median TTFT", as in the PR comment, and the
// GPU-seconds "GPU time".
func MetricTitle(metric string) string {
	if metric == GPUSecondsMetric {
		return "GPU time"
	}
	return gate.MetricTitle(metric)
}

// Title names the series' metric with its unit: "median TPOT (ms)".
func (s Series) Title() string {
	if s.Unit == "" {
		return MetricTitle(s.Metric)
	}
	return MetricTitle(s.Metric) + " (" + s.Unit + ")"
}
