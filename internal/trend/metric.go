package trend

import "strings"

// lowerIsBetter reports whether smaller values of a history statistic are
// better: latencies (named *_ms) are, throughputs and goodput are not.
func lowerIsBetter(metric string) bool { return strings.HasSuffix(metric, "_ms") }

// unitOf returns the unit of a history statistic for labels.
func unitOf(metric string) string {
	switch {
	case strings.HasSuffix(metric, "_ms"):
		return "ms"
	case strings.HasPrefix(metric, "request_"):
		return "req/s"
	default:
		return "tok/s"
	}
}
