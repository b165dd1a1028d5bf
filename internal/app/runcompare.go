package app

import (
	"fmt"
	"slices"

	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
)

// outputDirs lists the distinct output directories of a sweep, in plan
// order.
func (d sweepDone) outputDirs() []string {
	var dirs []string
	for _, s := range d.servers {
		if !slices.Contains(dirs, s.Run.Bench.OutputDir) {
			dirs = append(dirs, s.Run.Bench.OutputDir)
		}
	}
	return dirs
}

// compareSweep compares every output directory of a sweep with the
// baselines, with each run's gate settings.
func compareSweep(d sweepDone, baselines string, ov gateOverride) ([]*report.Report, error) {
	var reports []*report.Report
	for _, dir := range d.outputDirs() {
		r, err := compareDirs(dir, baselines, gatesOf(d.cfg), ov)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	return reports, nil
}

// compareAfterRun prints the comparison of a sweep's results with the
// baselines as text and returns the gate's exit code.
func compareAfterRun(env *Env, d sweepDone, baselines string) int {
	reports, err := compareSweep(d, baselines, gateOverride{})
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
