package baseline

import (
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// spreadOf returns the within-run spread of the statistic named stat (a key
// of Summarize) and whether the file has one: for a latency statistic
// (median_tpot_ms, p99_ttft_ms, ...) the population standard deviation of
// the per-request values that vllm bench serve records beside it
// (std_tpot_ms, ...); for a throughput the sample standard deviation over
// the point's repeats, when it has two or more.
func spreadOf(f *results.File, name string) (float64, bool) {
	if strings.HasSuffix(name, "_ms") {
		switch {
		case strings.HasSuffix(name, "_ttft_ms"):
			return f.StdTTFTMs, true
		case strings.HasSuffix(name, "_tpot_ms"):
			return f.StdTPOTMs, true
		case strings.HasSuffix(name, "_itl_ms"):
			return f.StdITLMs, true
		case strings.HasSuffix(name, "_e2el_ms"):
			return f.StdE2ELMs, true
		}
		return 0, false
	}
	reps := f.VllmBench.Repeats
	if len(reps) < 2 {
		return 0, false
	}
	vs := make([]float64, 0, len(reps))
	for _, r := range reps {
		switch name {
		case "output_throughput":
			vs = append(vs, r.OutputThroughput)
		case "request_throughput":
			vs = append(vs, r.RequestThroughput)
		case "total_token_throughput":
			vs = append(vs, r.TotalTokenThroughput)
		case "request_goodput":
			if r.RequestGoodput == nil {
				return 0, false
			}
			vs = append(vs, *r.RequestGoodput)
		default:
			return 0, false
		}
	}
	return stat.StdDev(vs, nil), true
}

// summarizeFor returns what a history line keeps of one result: the
// statistics named by metrics (every statistic of Summarize when metrics is
// empty) and the spread of each that has one.
func summarizeFor(f *results.File, metrics []string) (points, spread map[string]float64) {
	all := Summarize(f)
	points = all
	if len(metrics) > 0 {
		points = make(map[string]float64, len(metrics))
		for _, m := range metrics {
			if v, ok := all[m]; ok {
				points[m] = v
			}
		}
	}
	spread = map[string]float64{}
	for m := range points {
		if s, ok := spreadOf(f, m); ok {
			spread[m] = s
		}
	}
	return points, spread
}
