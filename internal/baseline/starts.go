package baseline

import (
	"errors"
	"os"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// Start is one server start as a history line keeps it: the seconds from
// spawn to ready and the compile cache's state before it.
type Start struct {
	// S is the seconds from the server's spawn until it was ready.
	S float64 `json:"s"`
	// CacheWarm says whether the compile cache held this configuration's
	// graphs before the start; nil when no cache directory was kept.
	CacheWarm *bool `json:"cache_warm,omitempty"`
}

// The compile-cache states of a start, as Start.Cache names them. A cold
// start compiles, a warm one reuses the compiled graphs: they are two
// populations, and the gate and trend never mix them.
const (
	// CacheCold: the cache did not hold the configuration's graphs.
	CacheCold = "cold"
	// CacheWarm: it did.
	CacheWarm = "warm"
	// CacheUnknown: no cache directory was kept (serve.cache_dir: none),
	// so the server's own cache, if any, is not known.
	CacheUnknown = "unknown"
)

// Cache names the start's compile-cache state: CacheCold, CacheWarm or
// CacheUnknown.
func (s Start) Cache() string {
	switch {
	case s.CacheWarm == nil:
		return CacheUnknown
	case *s.CacheWarm:
		return CacheWarm
	}
	return CacheCold
}

// StartLabel names the starts of a cache state for people: "cold start",
// "warm start", or "start with no cache kept".
func StartLabel(cache string) string {
	if cache == CacheUnknown {
		return "start with no cache kept"
	}
	return cache + " start"
}

// MeanStart returns the mean seconds of the starts in state cache and how
// many there are.
func MeanStart(starts []Start, cache string) (mean float64, n int) {
	for _, s := range starts {
		if s.Cache() == cache {
			mean += s.S
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return mean / float64(n), n
}

// GPUSeconds is what a run's servers held of their GPUs: each start's
// held span times its GPUs, and the parts of it spent starting and in the
// timed rounds (results.AccountTotals).
type GPUSeconds struct {
	Total     float64 `json:"total"`
	Start     float64 `json:"start"`
	Measuring float64 `json:"measuring"`
}

// runAccounts is what a results directory's accounting holds of one run.
type runAccounts struct {
	// starts holds, per server configuration (its stem), the starts that
	// became ready.
	starts map[string][]Start
	gpu    *GPUSeconds
}

// accountsByRun reads the accounting of resultsDir's summary.json and
// sorts its server starts by run; runOf maps a server configuration's stem
// to its run. Starts of a paired A/B comparison (a side's build) and of
// servers no result names are left out. A directory without a summary or
// accounting gives none.
func accountsByRun(resultsDir string, runOf map[string]string) (map[string]*runAccounts, error) {
	sum, err := results.ReadSummary(resultsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if sum.Accounting == nil {
		return nil, nil
	}
	byRun := map[string][]results.ServerAccount{}
	for _, a := range sum.Accounting.Servers {
		if run, ok := runOf[a.Server]; ok && a.Side == "" {
			byRun[run] = append(byRun[run], a)
		}
	}
	out := map[string]*runAccounts{}
	for run, accts := range byRun {
		t := results.Total(accts)
		ra := &runAccounts{starts: map[string][]Start{}, gpu: &GPUSeconds{Total: t.GPUSeconds, Start: t.StartGPUSeconds, Measuring: t.MeasuringGPUSeconds}}
		for _, a := range accts {
			if a.Started {
				ra.starts[a.Server] = append(ra.starts[a.Server], Start{S: a.StartS, CacheWarm: a.CacheWarm})
			}
		}
		out[run] = ra
	}
	return out, nil
}
