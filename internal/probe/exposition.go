package probe

import (
	"fmt"
	"io"
	"math"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// snapshot is one scrape of a /metrics page: its metric families by name.
type snapshot map[string]*dto.MetricFamily

// parseExposition reads the Prometheus text exposition format (what vLLM and
// SGLang serve at /metrics) into a snapshot.
func parseExposition(r io.Reader) (snapshot, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("prometheus text format: %w", err)
	}
	return snapshot(families), nil
}

// has reports whether any of names is a family of the snapshot.
func (s snapshot) has(names []string) bool {
	for _, n := range names {
		if _, ok := s[n]; ok {
			return true
		}
	}
	return false
}

// first returns the first of names that the snapshot holds.
func (s snapshot) first(names []string) (*dto.MetricFamily, bool) {
	for _, n := range names {
		if mf, ok := s[n]; ok {
			return mf, true
		}
	}
	return nil, false
}

// counter sums the first of names that is present over all its series (one
// per engine, finish reason, ...).
func (s snapshot) counter(names []string) (float64, bool) {
	mf, ok := s.first(names)
	if !ok {
		return 0, false
	}
	var sum float64
	for _, m := range mf.GetMetric() {
		sum += sampleValue(m)
	}
	return sum, true
}

// histogram returns the observation count and the sum of the first of names
// that is present, summed over its series. A page without TYPE lines gives
// the parts as separate untyped families (name_count, name_sum); they are
// read too.
func (s snapshot) histogram(names []string) (count, sum float64, ok bool) {
	for _, n := range names {
		if mf, found := s[n]; found && mf.GetType() == dto.MetricType_HISTOGRAM {
			for _, m := range mf.GetMetric() {
				count += float64(m.GetHistogram().GetSampleCount())
				sum += m.GetHistogram().GetSampleSum()
			}
			return count, sum, true
		}
		c, okc := s.counter([]string{n + "_count"})
		su, oks := s.counter([]string{n + "_sum"})
		if okc && oks {
			return c, su, true
		}
	}
	return 0, 0, false
}

// gauge reads the first of names that is present, combining its series
// (one per data-parallel engine) with combine: a sum for request counts, the
// largest for a cache usage.
func (s snapshot) gauge(names []string, combine gaugeCombine) (float64, bool) {
	mf, ok := s.first(names)
	if !ok || len(mf.GetMetric()) == 0 {
		return 0, false
	}
	v := 0.0
	if combine == combineMax {
		v = math.Inf(-1)
	}
	for _, m := range mf.GetMetric() {
		x := sampleValue(m)
		if combine == combineMax {
			v = math.Max(v, x)
		} else {
			v += x
		}
	}
	return v, true
}

// gaugeCombine says how the series of one gauge make one value.
type gaugeCombine int

const (
	combineSum gaugeCombine = iota
	combineMax
)

// sampleValue is the value of a counter, gauge or untyped sample.
func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}
