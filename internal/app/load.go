package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/engine"
	"github.com/vllm-bench-action/vllm-bench-action/internal/server"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// sweepOptions are the flags that change what a config runs, shared by
// plan and run.
type sweepOptions struct {
	configPath string
	engine     string // override of every run's engine (e.g. sim); "" keeps them
	outDir     string // override of every run's bench.output_dir; "" keeps them
	shard      string // "i/n"; "" runs everything
	run        string // only this run; "" runs all
}

// addSweepFlags registers the flags of sweepOptions on fs, shared by plan,
// run and calibrate; verb ("run", "show", "calibrate") words the help, and
// outDefault is --out's default.
func addSweepFlags(fs *flag.FlagSet, o *sweepOptions, verb, outDefault, outHelp string) {
	fs.StringVar(&o.configPath, "c", "", "config file")
	fs.StringVar(&o.engine, "engine", "", "move every vLLM/SGLang run onto this engine (sim: the built-in simulator, no GPU needed)")
	fs.StringVar(&o.outDir, "out", outDefault, outHelp)
	fs.StringVar(&o.shard, "shard", "", verb+" only shard i of n of the server configurations (i/n)")
	fs.StringVar(&o.run, "run", "", verb+" only the run of this name")
}

// loadSweep loads the config and returns the server configurations the
// options select. Errors are ready to print; all are invalid input.
func loadSweep(opts sweepOptions) (*config.Config, []sweep.ServerConfig, error) {
	if opts.configPath == "" {
		return nil, nil, errors.New("-c CONFIG is required")
	}
	cfg, err := config.Load(opts.configPath)
	if err != nil {
		return nil, nil, err
	}
	if opts.engine != "" {
		if opts.engine != "sim" && opts.engine != "vllm" && opts.engine != "sglang" {
			return nil, nil, fmt.Errorf("--engine: must be sim, vllm or sglang, got %q", opts.engine)
		}
		for i := range cfg.Runs {
			if cfg.Runs[i].Engine != "external" {
				cfg.Runs[i].Engine = opts.engine
			}
		}
	}
	if opts.outDir != "" {
		for i := range cfg.Runs {
			cfg.Runs[i].Bench.OutputDir = opts.outDir
		}
	}
	servers := sweep.Expand(cfg)
	if opts.run != "" {
		var kept []sweep.ServerConfig
		for _, s := range servers {
			if s.Run.Name == opts.run {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			return nil, nil, fmt.Errorf("--run: no run named %q in %s (runs: %s)", opts.run, opts.configPath, runNames(cfg))
		}
		servers = kept
	}
	if opts.shard != "" {
		sh, err := sweep.ParseShard(opts.shard)
		if err != nil {
			return nil, nil, fmt.Errorf("--shard: %w", err)
		}
		servers = sh.Select(servers)
	}
	return cfg, servers, nil
}

func runNames(cfg *config.Config) string {
	names := make([]string, len(cfg.Runs))
	for i, r := range cfg.Runs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// recipeFor builds the launch recipe of a server configuration on this
// machine, reading the server's version where the recipe depends on it.
func recipeFor(ctx context.Context, env *Env, s sweep.ServerConfig) (engine.Recipe, string, error) {
	opts := engine.Options{Executable: env.Executable, Environ: server.ChildEnviron(os.Environ())}
	version := engine.ServerVersion(ctx, s.Run, opts)
	if s.Run.Engine == "vllm" {
		opts.VLLMVersion = version
	}
	pair := config.Parallel{TP: s.TP, DP: s.DP, PP: s.PP}
	r, err := engine.Build(s.Run, pair, opts)
	return r, version, err
}
