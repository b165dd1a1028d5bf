package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Settings of calibrate.
const (
	// MinCalibrateRepeats is the fewest sweeps calibrate accepts: two give
	// one A/A comparison.
	MinCalibrateRepeats = 2
	// defaultCalibrateOut is where calibrate writes its sweeps when --out is
	// not given, one rep-<k> directory each.
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
func cmdCalibrate(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "calibrate", "-c CONFIG --repeats K [--engine sim] [--out DIR] [--run NAME] [--shard i/n] [--format text|markdown] [--baselines DIR]")
	var opts calibrateOptions
	addSweepFlags(fs, &opts.sweepOptions, "calibrate", defaultCalibrateOut, "write sweep k into DIR/rep-<k>")
	fs.IntVar(&opts.repeats, "repeats", 0, fmt.Sprintf("run the sweep K times (>= %d), each on a fresh server; the gate is measured on the K(K-1)/2 pairs", MinCalibrateRepeats))
	fs.StringVar(&opts.format, "format", formatText, "output format: text or markdown")
	fs.StringVar(&opts.baselines, "baselines", "", "also accept every sweep into this baselines directory, in order: the history the gate needs to judge run-to-run noise (the last sweep becomes the baseline)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if opts.repeats < MinCalibrateRepeats {
		return errorf(env, ExitInvalid, "calibrate: --repeats: must be >= %d (K sweeps give K(K-1)/2 A/A comparisons), got %d", MinCalibrateRepeats, opts.repeats)
	}
	if opts.format != formatText && opts.format != formatMarkdown {
		return errorf(env, ExitInvalid, "calibrate: --format: must be text or markdown, got %q", opts.format)
	}
	if opts.outDir == "" {
		return errorf(env, ExitInvalid, "calibrate: --out: must name a directory")
	}
	// Check the config before the first server starts.
	cfg, servers, err := loadSweep(opts.sweepOptions)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitInvalid
	}

	dirs, code := calibrateSweeps(ctx, env, opts)
	if code != ExitOK {
		return code
	}
	if opts.baselines != "" {
		for _, dir := range dirs {
			up, err := baseline.Update(dir, opts.baselines)
			if err != nil {
				return errorf(env, ExitInvalid, "calibrate: --baselines: %v", err)
			}
			fmt.Fprintf(env.Stderr, "vllm-bench: calibrate: accepted %s from %s into %s\n", plural(len(up.Promoted), "point"), dir, opts.baselines)
		}
	}
	code = ExitOK
	for i, run := range calibrationRuns(cfg, servers) {
		c, err := calibrateSelected(dirs, run.keep, run.gate)
		if err != nil {
			return errorf(env, ExitInfra, "calibrate: %v", err)
		}
		for _, missing := range unmeasured(c, run.names) {
			fmt.Fprintf(env.Stderr, "vllm-bench: calibrate: %s was not measured without failures in two sweeps or more: left out\n", missing)
			code = ExitInfra
		}
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		out := c.Text()
		if opts.format == formatMarkdown {
			out = c.Markdown()
		}
		fmt.Fprint(env.Stdout, out)
	}
	return code
}

// calibrateSweeps runs the K sweeps into DIR/rep-<k> and returns the
// directories. The sweeps' own tables go to stderr, so stdout holds only
// the calibration. It stops at the first sweep that fails.
func calibrateSweeps(ctx context.Context, env *Env, opts calibrateOptions) ([]string, int) {
	sweepEnv := *env
	sweepEnv.Stdout = env.Stderr
	dirs := make([]string, 0, opts.repeats)
	for k := 1; k <= opts.repeats; k++ {
		ro := runOptions{sweepOptions: opts.sweepOptions}
		ro.outDir = filepath.Join(opts.outDir, fmt.Sprintf("rep-%d", k))
		fmt.Fprintf(env.Stderr, "\nvllm-bench: calibrate: sweep %d of %d into %s\n", k, opts.repeats, ro.outDir)
		done, code := executeSweep(ctx, &sweepEnv, ro)
		if code != ExitOK {
			return nil, code
		}
		if len(done.outcome.failures) > 0 {
			return nil, errorf(env, ExitInfra, "calibrate: sweep %d of %d failed (results in %s): no calibration", k, opts.repeats, ro.outDir)
		}
		dirs = append(dirs, ro.outDir)
	}
	return dirs, ExitOK
}

// calibrationRun is one run of the config to calibrate with its own gate.
type calibrationRun struct {
	gate config.Gate
	// names are the result files of the run's points, in sweep order.
	names []string
	keep  func(*baseline.Result) bool
}

// calibrationRuns groups the selected server configurations by run, in
// config order. Each run keeps only its own points, so files a results
// directory held from earlier sweeps do not count.
func calibrationRuns(cfg *config.Config, servers []sweep.ServerConfig) []calibrationRun {
	var out []calibrationRun
	for _, r := range cfg.Runs {
		set := map[string]bool{}
		var names []string
		for _, s := range servers {
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
		out = append(out, calibrationRun{gate: r.Gate, names: names, keep: func(res *baseline.Result) bool {
			return res.File.VllmBench.Run == run && set[res.Name]
		}})
	}
	return out
}

// unmeasured returns the result names absent from the calibration: points
// that failed in all sweeps but one or more.
func unmeasured(c *report.Calibration, names []string) []string {
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
