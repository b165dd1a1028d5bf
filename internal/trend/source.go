package trend

import (
	"sort"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

// GPUSecondsMetric names the series of a run's GPU-seconds: what its
// servers held of their GPUs, start to stop, each start weighed by its
// GPUs. It is not a gated metric; it follows what a run costs.
const GPUSecondsMetric = "gpu_seconds"

// allServers is the Server of a series of the whole run (its GPU-seconds).
const allServersLabel = "all servers"

// source is where one series of a run's history comes from: its identity
// and the value it takes from each history line.
type source struct {
	point, server, label, metric string
	// value returns the line's value and its within-run spread; ok is
	// false when the line has none.
	value func(e baseline.HistoryEntry) (v, spread float64, ok bool)
}

// sources lists the series of a run's history: for every point the
// statistics metricsOf names, then per server configuration its start
// seconds (startup_seconds), cold, warm and untracked starts apart, then
// the run's GPU-seconds.
func sources(run string, entries []baseline.HistoryEntry, metricsOf func(point string) []string) []source {
	var out []source
	for _, point := range pointNames(entries) {
		server, label := splitPointName(run, point)
		for _, m := range metricsOf(point) {
			out = append(out, source{point: point, server: server, label: label, metric: m,
				value: func(e baseline.HistoryEntry) (float64, float64, bool) {
					v, ok := e.Points[point][m]
					return v, e.Spread[point][m], ok
				}})
		}
	}
	for _, sc := range startSeries(entries) {
		out = append(out, source{server: sc.server, label: baseline.StartLabel(sc.cache), metric: gate.StartupSeconds,
			value: func(e baseline.HistoryEntry) (float64, float64, bool) {
				mean, n := baseline.MeanStart(e.Starts[sc.server], sc.cache)
				return mean, 0, n > 0
			}})
	}
	for _, e := range entries {
		if e.GPUSeconds != nil {
			out = append(out, source{server: run, label: allServersLabel, metric: GPUSecondsMetric,
				value: func(e baseline.HistoryEntry) (float64, float64, bool) {
					if e.GPUSeconds == nil {
						return 0, 0, false
					}
					return e.GPUSeconds.Total, 0, true
				}})
			break
		}
	}
	return out
}

// serverCache is one server configuration's starts of one cache state.
type serverCache struct{ server, cache string }

// startSeries returns every server configuration and cache state that the
// entries hold starts of, by server and then cold, warm, unknown.
func startSeries(entries []baseline.HistoryEntry) []serverCache {
	order := map[string]int{baseline.CacheCold: 0, baseline.CacheWarm: 1, baseline.CacheUnknown: 2}
	seen := map[serverCache]bool{}
	var out []serverCache
	for _, e := range entries {
		for server, starts := range e.Starts {
			for _, s := range starts {
				k := serverCache{server, s.Cache()}
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].server != out[j].server {
			return out[i].server < out[j].server
		}
		return order[out[i].cache] < order[out[j].cache]
	})
	return out
}
