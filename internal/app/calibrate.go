package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Settings of calibrate.
const (
	// MinCalibrateRepeats is the fewest sweeps calibrate accepts: two give
	// one A/A comparison.
	MinCalibrateRepeats = 2
	// defaultCalibrateOut is where calibrate writes its sweeps when --out is
	// not given, one rep-<k> directory each: a directory of that name under
	// the first selected run's bench.output_dir.
	defaultCalibrateOut = "calibration"
)

// calibrateOptions are the flags of `vllm-bench calibrate`.
type calibrateOptions struct {
	sweepOptions
	// repeats is the number of sweeps K.
	repeats int
	// format is text or markdown.
	format string
	// baselines, when set, receives every sweep as an accepted run.
	baselines string
}

// cmdCalibrate is `vllm-bench calibrate`: it runs the sweep K times, each on
// a freshly started server, and measures the gate on the K(K-1)/2 A/A
// comparisons between them: per point and gated metric, the run-to-run
// coefficient of variation, how many comparisons the gate flags and the
// smallest change it can detect. Exit 0: calibrated; 2: bad flags or config;
// 3: a sweep failed or was interrupted.
func cmdCalibrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "calibrate", "-c CONFIG --repeats K [--engine sim] [--out DIR] [--run NAME] [--shard i/n] [--format text|markdown] [--baselines DIR]")
	var opts calibrateOptions
	addSweepFlags(fs, &opts.sweepOptions, "calibrate", "", "write sweep k into DIR/rep-<k> (default: "+defaultCalibrateOut+"/ under the first selected run's bench.output_dir)")
	fs.IntVar(&opts.repeats, "repeats", 0, fmt.Sprintf("run the sweep K times (>= %d), each on a fresh server; the gate is measured on the K(K-1)/2 pairs", MinCalibrateRepeats))
	fs.StringVar(&opts.format, "format", formatText, "output format: text or markdown")
	fs.StringVar(&opts.baselines, "baselines", "", "also accept every sweep into this baselines directory, in order: the history the gate needs to judge run-to-run noise (the last sweep becomes the baseline)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if opts.repeats < MinCalibrateRepeats {
		return invalidf("calibrate: --repeats: must be >= %d (K sweeps give K(K-1)/2 A/A comparisons), got %d", MinCalibrateRepeats, opts.repeats)
	}
	if opts.format != formatText && opts.format != formatMarkdown {
		return invalidf("calibrate: --format: must be text or markdown, got %q", opts.format)
	}
	if flagSet(fs, "out") && opts.sel.OutDir == "" {
		return invalidf("calibrate: --out: must name a directory")
	}
	// Check the config before the first server starts.
	plan, err := loadPlan(opts.sweepOptions)
	if err != nil {
		return err
	}
	if opts.sel.OutDir == "" {
		opts.sel.OutDir = underOutputDir(plan, defaultCalibrateOut)
	}

	sitting := fmt.Sprintf("calibrate %s pid %d", time.Now().UTC().Format(time.RFC3339), os.Getpid())
	dirs, err := calibrateSweeps(ctx, env, opts)
	if err != nil {
		return err
	}
	if opts.baselines != "" {
		hopts := historyOptions(plan.Config)
		hopts.AllowSuspect = allowSuspectEnv(env)
		// The sweeps run back to back: their history lines are one
		// sitting, whose spread the gate does not take alone.
		hopts.Sitting = sitting
		for _, dir := range dirs {
			up, err := baseline.UpdateWith(dir, opts.baselines, hopts)
			if err != nil {
				return invalidf("calibrate: --baselines: %v", err)
			}
			fmt.Fprintf(env.Stderr, "vllm-bench: calibrate: accepted %s from %s into %s\n", plural(len(up.Promoted), "point"), dir, opts.baselines)
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: calibrate: the %d history lines are marked as one sitting (%s): the gate takes their spread for the runner's run-to-run noise only once runs of another sitting (a nightly run, calibrate on another day) join them\n",
			len(dirs), sitting)
	}
	var result error
	for i, run := range calibrationRuns(plan) {
		c, err := gate.CalibrateDirs(dirs, run.keep, run.gate)
		if err != nil {
			return infraf("calibrate: %v", err)
		}
		for _, missing := range unmeasured(c, run.names) {
			fmt.Fprintf(env.Stderr, "vllm-bench: calibrate: %s was not measured without failures in two sweeps or more: left out\n", missing)
			result = quietExit(ExitInfra)
		}
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		out := report.CalibrationText(c)
		if opts.format == formatMarkdown {
			out = report.CalibrationMarkdown(c)
		}
		fmt.Fprint(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "\nThe %d sweeps ran back to back in one sitting: the spread above is the spread within one sitting of this machine; runs on other days or other machines of the runner can spread more.\n", len(dirs))
	return result
}

// calibrateSweeps runs the K sweeps into DIR/rep-<k> and returns the
// directories. The sweeps' own tables go to stderr, so stdout holds only
// the calibration. It stops at the first sweep that fails.
func calibrateSweeps(ctx context.Context, env *Env, opts calibrateOptions) ([]string, error) {
	sweepEnv := *env
	sweepEnv.Stdout = env.Stderr
	dirs := make([]string, 0, opts.repeats)
	for k := 1; k <= opts.repeats; k++ {
		so := opts.sweepOptions
		so.sel.OutDir = filepath.Join(opts.sel.OutDir, fmt.Sprintf("rep-%d", k))
		fmt.Fprintf(env.Stderr, "\nvllm-bench: calibrate: sweep %d of %d into %s\n", k, opts.repeats, so.sel.OutDir)
		plan, err := loadPlan(so)
		if err != nil {
			return nil, err
		}
		out, err := runSweep(ctx, &sweepEnv, plan, runnerOptions(env, plan.Config, "", false, newLines(env.Stderr)))
		if err != nil {
			return nil, err
		}
		if len(out.Failures) > 0 {
			return nil, infraf("calibrate: sweep %d of %d failed (results in %s): no calibration", k, opts.repeats, so.sel.OutDir)
		}
		dirs = append(dirs, so.sel.OutDir)
	}
	return dirs, nil
}

// calibrationRun is one run of the config to calibrate with its own gate.
type calibrationRun struct {
	gate gate.Settings
	// names are the result files of the run's points, in sweep order.
	names []string
	keep  func(*baseline.Result) bool
}

// calibrationRuns groups the selected server configurations by run, in
// config order. Each run keeps only its own points, so files a results
// directory held from earlier sweeps do not count.
func calibrationRuns(plan runner.Plan) []calibrationRun {
	var out []calibrationRun
	for _, r := range plan.Config.Runs {
		set := map[string]bool{}
		var names []string
		for _, s := range plan.Servers {
			if s.Run.Name != r.Name {
				continue
			}
			for _, p := range s.Points {
				name := sweep.ResultName(s.Server, p)
				set[name] = true
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			continue
		}
		run := r.Name
		out = append(out, calibrationRun{gate: gate.Resolve(r.Gate), names: names, keep: func(res *baseline.Result) bool {
			return res.File.VllmBench.Run == run && set[res.Name]
		}})
	}
	return out
}

// unmeasured returns the result names absent from the calibration: points
// that failed in all sweeps but one or more.
func unmeasured(c *gate.Calibration, names []string) []string {
	have := map[string]bool{}
	for _, p := range c.Points {
		have[p.Name] = true
	}
	var out []string
	for _, n := range names {
		if !have[n] {
			out = append(out, strings.TrimSuffix(n, ".json"))
		}
	}
	return out
}
