package gate

import (
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// MetricTitle names a metric for people: median_ttft_ms reads "median
// TTFT", output_throughput "output throughput", startup_seconds "startup"
// (the unit goes beside it). The PR comment, trend and the dashboard all
// use these words.
func MetricTitle(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, "_ms"), "_seconds")
	words := strings.Split(name, "_")
	for i, w := range words {
		switch w {
		case "ttft", "tpot", "itl", "e2el":
			words[i] = strings.ToUpper(w)
		}
	}
	return strings.Join(words, " ")
}

// Source says where a metric's samples come from.
type Source int

// The sources of samples.
const (
	// PerRequest metrics are a quantile of per-request samples; they are
	// tested with Mann-Whitney U and a bootstrap interval.
	PerRequest Source = iota
	// PerRepeat metrics have one value per repeat of a point (throughputs);
	// they are tested with Welch's t-test or a prediction interval.
	PerRepeat
	// PerStart metrics have one value per server start, not per point
	// (startup_seconds): a row of their own per server configuration,
	// tested as PerRepeat metrics are.
	PerStart
)

// StartupSeconds is the metric of a server configuration's start: the
// seconds from the server's spawn until it was ready, as the results
// directory's summary.json accounts for it.
const StartupSeconds = "startup_seconds"

// Metric is one gated metric: a statistic of a result file.
type Metric struct {
	// Name is the result file's key, e.g. median_ttft_ms.
	Name string
	// Unit is printed after values: ms, tok/s or req/s.
	Unit string
	// LowerIsBetter is true for latencies and false for throughputs.
	LowerIsBetter bool
	// Source says whether the metric has per-request or per-repeat samples.
	Source Source
	// Quantile is the statistic of per-request samples (0.5, 0.9, 0.99).
	Quantile float64

	value   func(f *results.File) (float64, bool)
	samples func(f *results.File) []float64 // per request (ms) or per repeat
	// repeats, for per-request metrics whose statistic each repeat also
	// records (the medians), gives one value per repeat; nil otherwise.
	repeats func(f *results.File) []float64
}

// Value returns the metric's statistic as the result file records it, and
// false when the file has none (request_goodput without SLOs).
func (m Metric) Value(f *results.File) (float64, bool) { return m.value(f) }

// Samples returns the values the metric is tested on: per-request values in
// milliseconds (failed requests left out) or one value per repeat. It is
// empty when the file does not hold them (ITLs without save_detailed).
func (m Metric) Samples(f *results.File) []float64 { return m.samples(f) }

// catalogue lists every gated metric in the order reports show them.
func catalogue() []Metric {
	var ms []Metric
	latencies := []struct {
		name    string
		samples func(*results.File) []float64
		median  func(results.Repeat) float64
	}{
		{"ttft", ttftSamples, func(r results.Repeat) float64 { return r.MedianTTFTMs }},
		{"tpot", tpotSamples, func(r results.Repeat) float64 { return r.MedianTPOTMs }},
		{"itl", itlSamples, func(r results.Repeat) float64 { return r.MedianITLMs }},
		{"e2el", e2elSamples, func(r results.Repeat) float64 { return r.MedianE2ELMs }},
	}
	quantiles := []struct {
		prefix string
		q      float64
	}{{"median", 0.5}, {"p90", 0.9}, {"p99", 0.99}}
	for _, l := range latencies {
		for _, q := range quantiles {
			name := q.prefix + "_" + l.name + "_ms"
			m := Metric{
				Name: name, Unit: "ms", LowerIsBetter: true, Source: PerRequest, Quantile: q.q,
				value: fieldValue(name), samples: l.samples,
			}
			if q.q == 0.5 {
				median := l.median
				m.repeats = func(f *results.File) []float64 {
					var out []float64
					for _, r := range f.VllmBench.Repeats {
						out = append(out, median(r))
					}
					return out
				}
			}
			ms = append(ms, m)
		}
	}
	throughputs := []struct {
		name, unit string
		repeat     func(results.Repeat) (float64, bool)
	}{
		{"output_throughput", "tok/s", func(r results.Repeat) (float64, bool) { return r.OutputThroughput, true }},
		{"request_throughput", "req/s", func(r results.Repeat) (float64, bool) { return r.RequestThroughput, true }},
		{"total_token_throughput", "tok/s", func(r results.Repeat) (float64, bool) { return r.TotalTokenThroughput, true }},
		{"request_goodput", "req/s", func(r results.Repeat) (float64, bool) {
			if r.RequestGoodput == nil {
				return 0, false
			}
			return *r.RequestGoodput, true
		}},
	}
	for _, t := range throughputs {
		ms = append(ms, Metric{
			Name: t.name, Unit: t.unit, Source: PerRepeat,
			value: fieldValue(t.name), samples: repeatValues(t.repeat, fieldValue(t.name)),
		})
	}
	// A result file holds no start: its values come from the accounting.
	none := func(*results.File) (float64, bool) { return 0, false }
	ms = append(ms, Metric{
		Name: StartupSeconds, Unit: "s", LowerIsBetter: true, Source: PerStart,
		value: none, samples: func(*results.File) []float64 { return nil },
	})
	return ms
}

// PerPoint reports whether the metric is a statistic of each point, as
// every metric but those of a server start (PerStart) is.
func (m Metric) PerPoint() bool { return m.Source != PerStart }

// fieldValue reads the named statistic of a result file.
func fieldValue(name string) func(*results.File) (float64, bool) {
	return func(f *results.File) (float64, bool) {
		switch name {
		case "median_ttft_ms":
			return f.MedianTTFTMs, true
		case "p90_ttft_ms":
			return f.P90TTFTMs, true
		case "p99_ttft_ms":
			return f.P99TTFTMs, true
		case "median_tpot_ms":
			return f.MedianTPOTMs, true
		case "p90_tpot_ms":
			return f.P90TPOTMs, true
		case "p99_tpot_ms":
			return f.P99TPOTMs, true
		case "median_itl_ms":
			return f.MedianITLMs, true
		case "p90_itl_ms":
			return f.P90ITLMs, true
		case "p99_itl_ms":
			return f.P99ITLMs, true
		case "median_e2el_ms":
			return f.MedianE2ELMs, true
		case "p90_e2el_ms":
			return f.P90E2ELMs, true
		case "p99_e2el_ms":
			return f.P99E2ELMs, true
		case "output_throughput":
			return f.OutputThroughput, true
		case "request_throughput":
			return f.RequestThroughput, true
		case "total_token_throughput":
			return f.TotalTokenThroughput, true
		case "request_goodput":
			if f.RequestGoodput == nil {
				return 0, false
			}
			return *f.RequestGoodput, true
		}
		return 0, false
	}
}

// MetricNames returns the names of the gated metrics, in catalogue order.
func MetricNames() []string {
	cat := catalogue()
	names := make([]string, len(cat))
	for i, m := range cat {
		names[i] = m.Name
	}
	return names
}

// LookupMetric returns the metric of that name.
func LookupMetric(name string) (Metric, bool) {
	for _, m := range catalogue() {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// ValidMetric reports whether name is a gated metric.
func ValidMetric(name string) bool {
	_, ok := LookupMetric(name)
	return ok
}
