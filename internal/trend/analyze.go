package trend

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

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
