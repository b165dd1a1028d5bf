package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
)

// outputDirs lists the distinct output directories of a sweep, in plan
// order. A shard that drew no server still has the config's directories,
// where it wrote its (empty) summary.
func (d sweepDone) outputDirs() []string {
	var dirs []string
	add := func(dir string) {
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	for _, s := range d.servers {
		add(s.Run.Bench.OutputDir)
	}
	if len(dirs) == 0 && d.cfg != nil {
		for _, r := range d.cfg.Runs {
			add(r.Bench.OutputDir)
		}
	}
	return dirs
}

// compareEach compares every results directory with the baselines, with
// each run's gate settings from cfg.
func compareEach(dirs []string, baselines string, cfg *config.Config, ov gateOverride) ([]*report.Report, error) {
	var reports []*report.Report
	for _, dir := range dirs {
		r, err := compareDirs(dir, baselines, gatesOf(cfg), ov)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	return reports, nil
}

// missingBaselines says, when the baselines directory does not exist, that
// nothing will be gated, so a mistyped path cannot switch the gate off
// unnoticed. It returns "" when the directory exists.
func missingBaselines(dir string) string {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("baselines directory %q does not exist: every point is new and nothing is gated (create it with vllm-bench baseline update)", dir)
	}
	return ""
}

// compareAfterRun prints the comparison of a sweep's results with the
// baselines as text and returns the gate's exit code.
func compareAfterRun(env *Env, d sweepDone, baselines string) int {
	if msg := missingBaselines(baselines); msg != "" {
		fmt.Fprintln(env.Stderr, "vllm-bench: warning: "+msg)
	}
	reports, err := compareEach(d.outputDirs(), baselines, d.cfg, gateOverride{})
	if err != nil {
		return errorf(env, ExitInvalid, "compare: %v", err)
	}
	code := ExitOK
	for _, r := range reports {
		fmt.Fprintln(env.Stdout)
		fmt.Fprint(env.Stdout, r.Text())
		if !r.OK() {
			code = ExitRegression
		}
	}
	return code
}
