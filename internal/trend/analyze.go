package trend

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Options configures Analyze. The zero value analyses every run under the
// baselines directory with the default gated metrics and the default
// detection settings.
type Options struct {
	// Metrics lists, per run name, the metrics to analyse (the run's
	// gate.metrics); a run not listed gets gate.DefaultMetrics.
	Metrics map[string][]string
	// Runs, when not empty, limits the analysis to these runs (the runs of
	// a config); runs without a history are left out silently.
	Runs []string
	// Detect configures the change-point detection.
	Detect stats.EDivisiveOptions
}

// metricsOf returns the metrics analysed for run.
func (o Options) metricsOf(run string) []string {
	if ms, ok := o.Metrics[run]; ok && len(ms) > 0 {
		return ms
	}
	return gate.DefaultMetrics()
}

// RunInfo identifies one accepted run of the history.
type RunInfo struct {
	// Index is the run's position in the analysed history, oldest 0.
	Index int `json:"index"`
	// Date is when the run was measured (RFC 3339).
	Date string `json:"date"`
	// SHA is the commit measured, when known.
	SHA string `json:"sha,omitempty"`
	// GPU is the GPU model, when known.
	GPU string `json:"gpu,omitempty"`
	// HarnessVersion is the vllm-bench version that measured it.
	HarnessVersion string `json:"harness_version,omitempty"`
}

// Value is one run's statistic in a series.
type Value struct {
	// Run is the history index of the run (see RunInfo.Index).
	Run int `json:"run"`
	// Value is the statistic.
	Value float64 `json:"value"`
	// Spread is its within-run spread (standard deviation); zero when the
	// history line has none.
	Spread float64 `json:"spread,omitempty"`
}

// Shift is one persistent change of a series: a change point.
type Shift struct {
	// At is the position in Series.Values of the first value after the
	// change.
	At int `json:"at"`
	// LastBefore is the last run before the change, FirstAfter the first
	// run after it: the commits between them are the range to bisect.
	LastBefore RunInfo `json:"last_before"`
	FirstAfter RunInfo `json:"first_after"`
	// Before and After are the means of the segments on either side (up to
	// the neighbouring change points).
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	// Change is After/Before - 1.
	Change float64 `json:"change"`
	// CI is the 95 % Welch interval of Change (NaN ends when Before is
	// zero).
	CI stats.Interval `json:"-"`
	// P is the permutation p-value of the change point.
	P float64 `json:"p"`
	// Regression is true when the change is for the worse.
	Regression bool `json:"regression"`
	// New is true when the newest run revealed the change: on none of the
	// MinSegment nights before did any series of the run show a change
	// point within MinSegment runs of this one.
	New bool `json:"new"`
}

// Series is the history of one metric of one point.
type Series struct {
	// Point is the point's result file name.
	Point string `json:"point"`
	// Server is its server configuration (NAME_TP1_DP1) and Label the rest
	// of the point (CTX512 C8 P100 O128).
	Server string `json:"server"`
	Label  string `json:"label"`
	// Metric is the statistic (median_tpot_ms, output_throughput, ...).
	Metric string `json:"metric"`
	// Unit is ms, tok/s or req/s.
	Unit string `json:"unit"`
	// LowerIsBetter is true for latencies.
	LowerIsBetter bool `json:"lower_is_better"`
	// Values are the runs that measured the point, oldest first.
	Values []Value `json:"values"`
	// Shifts are the change points, oldest first.
	Shifts []Shift `json:"shifts"`
}

// Run is the trend of one run of the config.
type Run struct {
	// Name is the run's name.
	Name string `json:"name"`
	// History lists the runs analysed: the history lines measured on the
	// newest line's GPU model, oldest first.
	History []RunInfo `json:"history"`
	// OtherHardware counts the lines left out because they were measured
	// on another GPU model.
	OtherHardware int `json:"other_hardware,omitempty"`
	// Series holds one series per point and metric, by server, point and
	// metric.
	Series []Series `json:"series"`
}

// Analysis is the trend report of a baselines directory.
type Analysis struct {
	// Runs are the runs with a history, by name.
	Runs []Run `json:"runs"`
	// MinSegment is the fewest runs on each side of a change point.
	MinSegment int `json:"min_segment"`
	// Alpha is the significance level of each change point.
	Alpha float64 `json:"alpha"`
}

// ChangePoints returns the number of change points over all series.
func (a *Analysis) ChangePoints() int {
	n := 0
	for _, r := range a.Runs {
		for _, s := range r.Series {
			n += len(s.Shifts)
		}
	}
	return n
}

// NewRegressions returns the number of change points that the newest run
// revealed and that are for the worse.
func (a *Analysis) NewRegressions() int {
	n := 0
	for _, r := range a.Runs {
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				if sh.New && sh.Regression {
					n++
				}
			}
		}
	}
	return n
}

// Analyze reads the history of every run under baselinesDir and finds the
// change points of each gated metric of each point. A missing directory is
// an empty analysis; an unreadable history is an error naming its file.
func Analyze(baselinesDir string, opts Options) (*Analysis, error) {
	det := withDetectDefaults(opts.Detect)
	out := &Analysis{MinSegment: det.MinSegment, Alpha: det.Alpha}
	runs, err := historyRuns(baselinesDir, opts.Runs)
	if err != nil {
		return nil, err
	}
	for _, name := range runs {
		entries, err := baseline.ReadHistory(filepath.Join(baseline.Dir(baselinesDir, name), baseline.HistoryFile))
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 {
			continue
		}
		run, err := analyzeRun(name, entries, opts.metricsOf(name), det)
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, run)
	}
	return out, nil
}

// withDetectDefaults fills the detection options the report prints.
func withDetectDefaults(o stats.EDivisiveOptions) stats.EDivisiveOptions {
	if o.Alpha == 0 {
		o.Alpha = stats.DefaultChangePointAlpha
	}
	if o.MinSegment == 0 {
		o.MinSegment = stats.DefaultMinSegment
	}
	return o
}

// historyRuns returns the names of the runs under dir that have a history
// file, sorted, limited to only when it is not empty.
func historyRuns(dir string, only []string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read baselines directory %q: %w", dir, err)
	}
	var out []string
	for _, de := range des {
		if !de.IsDir() || (len(only) > 0 && !slices.Contains(only, de.Name())) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, de.Name(), baseline.HistoryFile)); err == nil {
			out = append(out, de.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

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
		})
		used = append(used, e)
	}
	for _, point := range pointNames(used) {
		server, label := splitPointName(name, point)
		for _, m := range metrics {
			s := Series{
				Point: point, Server: server, Label: label, Metric: m,
				Unit: unitOf(m), LowerIsBetter: lowerIsBetter(m),
			}
			for i, e := range used {
				v, ok := e.Points[point][m]
				if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				s.Values = append(s.Values, Value{Run: i, Value: v, Spread: e.Spread[point][m]})
			}
			if len(s.Values) == 0 {
				continue
			}
			shifts, err := findShifts(s.Values, run.History, s.LowerIsBetter, det)
			if err != nil {
				return run, fmt.Errorf("run %q, %s %s: %w", name, point, m, err)
			}
			s.Shifts = shifts
			run.Series = append(run.Series, s)
		}
	}
	return run, markNew(run, len(used), det)
}

// markNew marks the change points that the newest run revealed: those of
// series that the newest run measured, with no change point within
// MinSegment runs of them in any series of the history as it stood on any
// of the MinSegment nights before. One slowdown moves several metrics and
// points, which need not all cross the threshold on the same night, and
// while a change is small next to the noise its detection can come and go
// for a night or two and its place wander by a few runs; none of that is
// news. The earlier nights are analysed only when there is a change point
// to judge.
func markNew(run Run, n int, det stats.EDivisiveOptions) error {
	found := false
	for _, s := range run.Series {
		found = found || len(s.Shifts) > 0
	}
	if !found {
		return nil
	}
	var seen []int // history indexes of the first runs after earlier changes
	for back := 1; back <= det.MinSegment && n-back > 0; back++ {
		for _, s := range run.Series {
			var xs []float64
			var runs []int
			for _, v := range s.Values {
				if v.Run < n-back {
					xs, runs = append(xs, v.Value), append(runs, v.Run)
				}
			}
			cps, err := stats.EDivisive(xs, det)
			if err != nil {
				return fmt.Errorf("run %q, %s %s: %w", run.Name, s.Point, s.Metric, err)
			}
			for _, c := range cps {
				seen = append(seen, runs[c.Index])
			}
		}
	}
	for i := range run.Series {
		s := &run.Series[i]
		newest := s.Values[len(s.Values)-1].Run == n-1
		for k := range s.Shifts {
			sh := &s.Shifts[k]
			sh.New = newest && !nearAny(seen, sh.FirstAfter.Index, det.MinSegment)
		}
	}
	return nil
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

// nearAny reports whether a run index of runs lies within slack runs of
// index: the same change, its place moved by one more run. While a step is
// small next to the noise its estimated place wanders by a few runs from
// night to night; a slack of the minimum segment keeps it from counting as
// new each time.
func nearAny(runs []int, index, slack int) bool {
	for _, r := range runs {
		if r >= index-slack && r <= index+slack {
			return true
		}
	}
	return false
}
