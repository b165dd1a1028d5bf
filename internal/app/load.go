package app

import (
	"errors"
	"flag"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// sweepOptions are the flags that change what a config runs, shared by
// plan, run and calibrate.
type sweepOptions struct {
	configPath string
	sel        runner.Selection
}

// addSweepFlags registers the flags of sweepOptions on fs; verb ("run",
// "show", "calibrate") words the help, and outDefault is --out's default.
func addSweepFlags(fs *flag.FlagSet, o *sweepOptions, verb, outDefault, outHelp string) {
	fs.StringVar(&o.configPath, "c", "", "config file")
	fs.StringVar(&o.sel.Engine, "engine", "", "move every vLLM/SGLang run onto this engine (sim: the built-in simulator, no GPU needed)")
	fs.StringVar(&o.sel.OutDir, "out", outDefault, outHelp)
	fs.StringVar(&o.sel.Shard, "shard", "", verb+" only shard i of n of the server configurations (i/n)")
	fs.StringVar(&o.sel.Run, "run", "", verb+" only the run of this name")
}

// loadConfig loads a config file with every rule that applies to it, the
// gate's included. Its errors are invalid input.
func loadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(path, gate.CheckConfig)
	if err != nil {
		return nil, invalidInput(err)
	}
	return cfg, nil
}

// loadPlan loads the config and selects what the options ask for.
func loadPlan(opts sweepOptions) (runner.Plan, error) {
	if opts.configPath == "" {
		return runner.Plan{}, invalidInput(errors.New("-c CONFIG is required"))
	}
	cfg, err := loadConfig(opts.configPath)
	if err != nil {
		return runner.Plan{}, err
	}
	plan, err := runner.NewPlan(cfg, opts.sel)
	if err != nil {
		return runner.Plan{}, invalidInput(err)
	}
	return plan, nil
}

// runnerOptions are the runner's options for this command line;
// baselinesDir ("" for none) holds the history bench.precision auto takes
// run-to-run noise from.
func runnerOptions(env *Env, cfg *config.Config, baselinesDir string, resume bool, obs runner.Observer) runner.Options {
	gated := map[string][]string{}
	for run, g := range gate.SettingsOf(cfg, gate.Override{}) {
		gated[run] = g.Metrics
	}
	return runner.Options{
		Resume: resume, Executable: env.Executable, Getenv: env.Getenv, Abort: env.Abort,
		Observer: obs, HarnessVersion: Version, Gated: gated,
		RunToRun: gate.RunToRunCV(cfg, baselinesDir),
	}
}
