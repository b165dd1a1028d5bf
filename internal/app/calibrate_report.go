package app

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// calibrateDirs reads K results directories, each one run of the same
// points, and measures the gate on them with A/A comparisons. An error
// names the file or directory that could not be read.
func calibrateDirs(dirs []string, gate config.Gate) (*report.Calibration, error) {
	return calibrateSelected(dirs, nil, gate)
}

// calibrateSelected is calibrateDirs over the results that keep accepts
// (nil keeps all), so one run of a config is calibrated with its own gate
// and files a directory held before the sweeps are left out.
func calibrateSelected(dirs []string, keep func(*baseline.Result) bool, gate config.Gate) (*report.Calibration, error) {
	runs := make([][]*results.File, 0, len(dirs))
	for _, dir := range dirs {
		rs, err := baseline.LoadResults(dir)
		if err != nil {
			return nil, err
		}
		files := make([]*results.File, 0, len(rs))
		for _, r := range rs {
			if keep == nil || keep(r) {
				files = append(files, r.File)
			}
		}
		runs = append(runs, files)
	}
	return report.Calibrate(runs, gate), nil
}
