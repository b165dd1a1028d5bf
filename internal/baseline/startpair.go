package baseline

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// StartPair is one server configuration's start in a results directory
// with the starts on record it is compared to: those of the same
// compile-cache state only, since a warm start skips the compilation a
// cold one does.
type StartPair struct {
	// Server is the server configuration.
	Server sweep.Server
	// Current holds this run's start seconds, all in cache state Cache;
	// empty when the directory records no start of the configuration
	// (NoStart says why).
	Current []float64
	Cache   string
	NoStart string
	// Baseline holds the start seconds in state Cache of the newest
	// promoted history line measured on the same GPU model that has one:
	// the starts of the baselines' run, or of the newest run that started
	// as Cache did. Empty when no line has one.
	Baseline []float64
	// OtherCache, when Baseline is empty, lists the cache states the
	// history does hold starts of the configuration in: a start of
	// another state is not comparable.
	OtherCache []string
	// History holds, oldest first, the mean start in state Cache of each
	// promoted line of the gate's window (GateWindow lines of the same GPU
	// model); none when they all came from one sitting (HistoryNote says
	// so).
	History     []float64
	HistoryNote string
}

// startKey is the statistic name windowHistory files starts under.
const startKey = "start_s"

// MatchStarts pairs the server starts that resultsDir's summary.json
// accounts for with the history under baselinesDir: one StartPair per
// server configuration of cur (the directory's results, see
// LoadResults), in cur's order. A history that cannot be read is an error
// naming its file.
func MatchStarts(resultsDir string, cur []*Result, baselinesDir string) ([]StartPair, error) {
	accounts, err := accountsByRun(resultsDir, stems(cur))
	if err != nil {
		return nil, err
	}
	hasAccounting := accounts != nil
	histories := map[string][]HistoryEntry{}
	seen := map[sweep.Server]bool{}
	var out []StartPair
	for _, r := range cur {
		srv := r.Server()
		if seen[srv] {
			continue
		}
		seen[srv] = true
		hist, ok := histories[srv.Run]
		if !ok {
			hist, err = ReadHistory(filepath.Join(Dir(baselinesDir, srv.Run), HistoryFile))
			if err != nil {
				return nil, err
			}
			histories[srv.Run] = hist
		}
		var starts []Start
		if a := accounts[srv.Run]; a != nil {
			starts = a.starts[srv.Stem()]
		}
		out = append(out, matchStart(srv, starts, hasAccounting, hist, r.File.VllmBench.Env.GPUModel))
	}
	return out, nil
}

// matchStart pairs a configuration's starts with its history.
func matchStart(srv sweep.Server, starts []Start, hasAccounting bool, hist []HistoryEntry, gpu string) StartPair {
	p := StartPair{Server: srv}
	switch {
	case !hasAccounting:
		p.NoStart = "the results directory records no server start (its summary.json has no accounting)"
		return p
	case len(starts) == 0:
		p.NoStart = "no start of this server configuration became ready in this sweep"
		return p
	}
	p.Cache = starts[0].Cache()
	for _, s := range starts {
		if s.Cache() == p.Cache {
			p.Current = append(p.Current, s.S)
		}
	}
	stem := srv.Stem()
	others := map[string]bool{}
	for i := len(hist) - 1; i >= 0 && p.Baseline == nil; i-- {
		e := hist[i]
		if e.GPUModel != gpu || !e.IsPromoted() {
			continue
		}
		for _, s := range e.Starts[stem] {
			if s.Cache() == p.Cache {
				p.Baseline = append(p.Baseline, s.S)
			} else {
				others[s.Cache()] = true
			}
		}
	}
	if p.Baseline == nil {
		for c := range others {
			p.OtherCache = append(p.OtherCache, c)
		}
		sort.Strings(p.OtherCache)
	}
	values, note := windowHistory(hist, gpu, func(e HistoryEntry) map[string]float64 {
		if mean, n := MeanStart(e.Starts[stem], p.Cache); n > 0 {
			return map[string]float64{startKey: mean}
		}
		return nil
	})
	p.History, p.HistoryNote = values[startKey], note
	return p
}

// Unlike says why a start is not compared with the starts on record, or
// "" when it is (it has a baseline, or none of any state: it is new).
func (p StartPair) Unlike() string {
	if len(p.Baseline) > 0 || len(p.OtherCache) == 0 {
		return ""
	}
	others := make([]string, len(p.OtherCache))
	for i, c := range p.OtherCache {
		others[i] = strings.Replace(StartLabel(c), "start", "starts", 1)
	}
	return fmt.Sprintf("this run's %s is compared only with starts of the same compile-cache state, and the history holds %s of this server configuration only",
		StartLabel(p.Cache), strings.Join(others, " and "))
}
