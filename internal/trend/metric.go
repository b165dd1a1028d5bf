package trend

import (
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

// lowerIsBetter reports whether smaller values of a history statistic are
// better, as the gate's catalogue says; a statistic it does not know is a
// latency when named *_ms.
func lowerIsBetter(metric string) bool {
	if m, ok := gate.LookupMetric(metric); ok {
		return m.LowerIsBetter
	}
	return strings.HasSuffix(metric, "_ms")
}

// unitOf returns the unit of a history statistic for labels.
func unitOf(metric string) string {
	if m, ok := gate.LookupMetric(metric); ok {
		return m.Unit
	}
	if strings.HasSuffix(metric, "_ms") {
		return "ms"
	}
	return ""
}

// MetricTitle names a history statistic for people: median_ttft_ms reads
// "median TTFT", output_throughput "output throughput" (the PR comment's
// words for them).
func MetricTitle(metric string) string {
	words := strings.Split(strings.TrimSuffix(metric, "_ms"), "_")
	for i, w := range words {
		switch w {
		case "ttft", "tpot", "itl", "e2el":
			words[i] = strings.ToUpper(w)
		}
	}
	return strings.Join(words, " ")
}

// Title names the series' metric with its unit: "median TPOT (ms)".
func (s Series) Title() string {
	if s.Unit == "" {
		return MetricTitle(s.Metric)
	}
	return MetricTitle(s.Metric) + " (" + s.Unit + ")"
}
