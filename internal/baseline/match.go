package baseline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Pair is one point of the current results with what it is compared to.
type Pair struct {
	// Current is the point's result in the results directory.
	Current *Result
	// Baseline is the stored reference, or nil when there is none.
	Baseline *results.File
	// BaselinePath is where the baseline is (or would be) stored.
	BaselinePath string
	// Mismatch, when not empty, says why the baseline does not gate this
	// point (it was measured on other hardware).
	Mismatch string
	// History holds, per statistic (see Summarize), the point's values in
	// the run's history measured on the same GPU model, oldest first; none
	// when those runs were all measured in one sitting (see HistoryNote).
	History map[string][]float64
	// HistoryNote, when not empty, says why the history's values were left
	// out (they all came from one sitting).
	HistoryNote string
}

// Name returns the point's result file name.
func (p Pair) Name() string { return p.Current.Name }

// Server returns the point's server configuration.
func (p Pair) Server() sweep.Server { return p.Current.Server() }

// Point returns the point's benchmark settings.
func (p Pair) Point() sweep.Point { return p.Current.File.VllmBench.Point }

// Dir returns the directory of a run's baselines.
func Dir(baselinesDir, run string) string { return filepath.Join(baselinesDir, run) }

// Load reads the results directory and matches every point with its
// baseline under baselinesDir (see Match).
func Load(resultsDir, baselinesDir string) ([]Pair, error) {
	cur, err := LoadResults(resultsDir)
	if err != nil {
		return nil, err
	}
	return Match(cur, baselinesDir)
}

// Match pairs each result with the baseline of the same run and file name
// and with the run's history. A missing baselines directory or file is no
// error (the point is new); a baseline or history that cannot be read is an
// error naming its file.
func Match(cur []*Result, baselinesDir string) ([]Pair, error) {
	histories := map[string][]HistoryEntry{}
	pairs := make([]Pair, 0, len(cur))
	for _, r := range cur {
		run := r.File.VllmBench.Run
		hist, ok := histories[run]
		if !ok {
			var err error
			hist, err = ReadHistory(filepath.Join(Dir(baselinesDir, run), HistoryFile))
			if err != nil {
				return nil, err
			}
			histories[run] = hist
		}
		gpu := r.File.VllmBench.Env.GPUModel
		p := Pair{
			Current:      r,
			BaselinePath: filepath.Join(Dir(baselinesDir, run), r.Name),
		}
		p.History, p.HistoryNote = pointHistory(hist, r.Name, gpu)
		base, _, err := readResult(p.BaselinePath)
		switch {
		case errors.Is(err, os.ErrNotExist):
			// No baseline: the point is new.
		case err != nil:
			return nil, fmt.Errorf("baseline: %w", err)
		default:
			p.Baseline = base
			if bg := base.VllmBench.Env.GPUModel; bg != gpu {
				p.Mismatch = fmt.Sprintf("baseline measured on %s, this run on %s", gpuName(bg), gpuName(gpu))
			}
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

func gpuName(model string) string {
	if model == "" {
		return "an unknown GPU"
	}
	return model
}
