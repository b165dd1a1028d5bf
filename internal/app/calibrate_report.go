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
	runs := make([][]*results.File, 0, len(dirs))
	for _, dir := range dirs {
		rs, err := baseline.LoadResults(dir)
		if err != nil {
			return nil, err
		}
		files := make([]*results.File, len(rs))
		for i, r := range rs {
			files[i] = r.File
		}
		runs = append(runs, files)
	}
	return report.Calibrate(runs, gate), nil
}
