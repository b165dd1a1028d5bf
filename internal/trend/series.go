package trend

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// analyzeRun builds and analyses the series of one run's history.
func analyzeRun(name string, entries []baseline.HistoryEntry, metrics []string, det stats.EDivisiveOptions) (Run, error) {
	run := Run{Name: name}
	gpu := entries[len(entries)-1].GPUModel
	var used []baseline.HistoryEntry
	for _, e := range entries {
		if e.GPUModel != gpu {
			run.OtherHardware++
			continue
		}
		run.History = append(run.History, RunInfo{
			Index: len(used), Date: e.Date, SHA: e.GitSHA, GPU: e.GPUModel, HarnessVersion: e.HarnessVersion,
			Verdict: e.Verdict, Promoted: e.IsPromoted(), AcceptedBy: e.AcceptedBy, AcceptReason: e.AcceptReason,
		})
		used = append(used, e)
	}
	for _, src := range sources(name, used, func(string) []string { return metrics }) {
		s := Series{
			Point: src.point, Server: src.server, Label: src.label, Metric: src.metric,
			Unit: unitOf(src.metric), LowerIsBetter: lowerIsBetter(src.metric),
		}
		s.Values = src.values(used)
		if len(s.Values) == 0 {
			continue
		}
		shifts, err := findShifts(s.Values, run.History, s.LowerIsBetter, det)
		if err != nil {
			return run, fmt.Errorf("run %q, %s: %w", name, s.name(), err)
		}
		s.Shifts = shifts
		run.Series = append(run.Series, s)
	}
	return run, markNew(run, len(used), det)
}

// values returns the source's finite values in the entries, by index.
func (src source) values(entries []baseline.HistoryEntry) []Value {
	var out []Value
	for i, e := range entries {
		v, spread, ok := src.value(e)
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		out = append(out, Value{Run: i, Value: v, Spread: spread})
	}
	return out
}

// name names the series in messages: "llama_TP1_DP1 cold start
// startup_seconds".
func (s Series) name() string {
	return strings.Join(strings.Fields(s.Server+" "+s.Label+" "+s.Metric), " ")
}

// pointNames returns every point name of the entries, sorted.
func pointNames(entries []baseline.HistoryEntry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		for p := range e.Points {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// splitPointName splits a result file name into its server stem
// (NAME_TP1_DP1) and the point's label (CTX512 C8 P100 O128), the way
// sweep.ResultName composes them. A name of another shape is its own
// server with an empty label.
func splitPointName(run, point string) (server, label string) {
	base := strings.TrimSuffix(point, ".json")
	i := strings.LastIndex(base, "_CTX")
	if i < 0 || !strings.HasPrefix(base, run+"_") {
		return base, ""
	}
	return base[:i], strings.ReplaceAll(base[i+1:], "_", " ")
}

// findShifts detects the change points of one series and describes each
// (New is left for markNew).
func findShifts(vals []Value, history []RunInfo, lowerBetter bool, det stats.EDivisiveOptions) ([]Shift, error) {
	xs := make([]float64, len(vals))
	for i, v := range vals {
		xs[i] = v.Value
	}
	cps, err := stats.EDivisive(xs, det)
	if err != nil || len(cps) == 0 {
		return nil, err
	}
	shifts := make([]Shift, 0, len(cps))
	for k, cp := range cps {
		lo, hi := 0, len(xs)
		if k > 0 {
			lo = cps[k-1].Index
		}
		if k+1 < len(cps) {
			hi = cps[k+1].Index
		}
		x, y := xs[lo:cp.Index], xs[cp.Index:hi]
		sh := Shift{
			At:         cp.Index,
			LastBefore: history[vals[cp.Index-1].Run],
			FirstAfter: history[vals[cp.Index].Run],
			Before:     stats.Mean(x),
			After:      stats.Mean(y),
			P:          cp.P,
		}
		sh.Change = stats.RelChange(sh.Before, sh.After)
		if ci, err := stats.WelchRelChangeCI(x, y, stats.DefaultLevel); err == nil {
			sh.CI = ci
		} else {
			sh.CI = stats.Interval{Lo: math.NaN(), Hi: math.NaN(), Level: stats.DefaultLevel}
		}
		sh.Regression = (lowerBetter && sh.Change > 0) || (!lowerBetter && sh.Change < 0)
		shifts = append(shifts, sh)
	}
	return shifts, nil
}
