package results

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Measurement is the settings that define what a result measured, by key:
// engine, model, dtype, tp, dp, pp, endpoint, context, output_len,
// num_prompts, request_rate, burstiness, max_num_seqs, max_model_len,
// warmup, repeats and harness (the harness's major version). Two results
// compare only when these agree.
type Measurement map[string]string

// MeasurementOf returns the settings of a run's server configuration
// (every key but the point's); WithPoint adds the point's.
func MeasurementOf(run config.Run, tp, dp, pp int, harnessVersion string) Measurement {
	s, b := run.Serve, run.Bench
	return Measurement{
		"engine": string(run.Engine), "model": s.ModelPath, "dtype": s.Dtype,
		"tp": strconv.Itoa(tp), "dp": strconv.Itoa(dp), "pp": strconv.Itoa(pp),
		"endpoint": b.Endpoint, "burstiness": strconv.FormatFloat(b.Burstiness, 'g', -1, 64),
		"max_num_seqs": strconv.Itoa(s.MaxNumSeqs), "max_model_len": strconv.Itoa(s.MaxModelLen),
		"warmup": strconv.Itoa(b.WarmupPrompts), "repeats": strconv.Itoa(b.Repeats),
		"harness": majorVersion(harnessVersion),
	}
}

// WithPoint returns a copy of m with the point's settings.
func (m Measurement) WithPoint(p sweep.Point) Measurement {
	out := maps.Clone(m)
	if out == nil {
		out = Measurement{}
	}
	out["context"] = strconv.Itoa(p.ContextSize)
	out["output_len"] = strconv.Itoa(p.OutputLen)
	out["num_prompts"] = strconv.Itoa(p.NumPrompts)
	out["request_rate"] = strconv.FormatFloat(p.RequestRate, 'g', -1, 64)
	return out
}

// majorVersion is a version's major part: "v1.4.2" gives "1"; a version
// without one (a development build) is kept whole.
func majorVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if major, _, ok := strings.Cut(v, "."); ok {
		return major
	}
	return v
}

// Measured returns the settings that define the file's measurement, and
// whether the file recorded them: a file written before the harness kept
// them gives what its other fields tell (engine, tp, dp, pp, endpoint,
// warmup, repeats and the point) and false.
func (f *File) Measured() (Measurement, bool) {
	m := f.VllmBench
	if m.Measurement != nil {
		return m.Measurement, true
	}
	out := Measurement{
		"engine": string(m.Engine), "tp": strconv.Itoa(m.TP), "dp": strconv.Itoa(m.DP), "pp": strconv.Itoa(m.PP),
		"warmup": strconv.Itoa(m.WarmupPrompts),
	}
	if m.Endpoint != "" {
		out["endpoint"] = m.Endpoint
	}
	if len(m.Repeats) > 0 {
		out["repeats"] = strconv.Itoa(len(m.Repeats))
	}
	return out.WithPoint(m.Point), false
}

// Differences returns, sorted, the keys that both a and b hold with
// different values, each as "key (a vs b)".
func Differences(a, b Measurement) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if v, ok := b[k]; ok && v != a[k] {
			out = append(out, fmt.Sprintf("%s (%s vs %s)", k, a[k], v))
		}
	}
	return out
}
