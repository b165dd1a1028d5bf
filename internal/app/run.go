package app

import (
	"context"
	"fmt"
	"os"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// runOptions are the flags of `vllm-bench run`.
type runOptions struct {
	sweepOptions
	resume    bool
	baselines string
}

func cmdRun(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "run", "-c CONFIG [--out DIR] [--engine sim] [--shard i/n] [--run NAME] [--resume] [--baselines DIR]")
	var opts runOptions
	addSweepFlags(fs, &opts.sweepOptions, "run", "", "write results here instead of each run's bench.output_dir")
	fs.BoolVar(&opts.resume, "resume", false, "skip points whose result file is already complete")
	fs.StringVar(&opts.baselines, "baselines", "", "after the sweep, compare the results with the baselines in this directory")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if opts.baselines != "" {
		if info, err := os.Stat(opts.baselines); err == nil && !info.IsDir() {
			return errorf(env, ExitInvalid, "--baselines: %q is not a directory", opts.baselines)
		}
	}
	done, code := executeSweep(ctx, env, opts)
	if code != ExitOK {
		return code
	}
	if opts.baselines != "" {
		code = compareAfterRun(env, done, opts.baselines)
	}
	if len(done.outcome.failures) > 0 {
		return ExitInfra
	}
	return code
}

// sweepDone is a finished (or interrupted) sweep.
type sweepDone struct {
	cfg     *config.Config
	servers []sweep.ServerConfig
	outcome sweepOutcome
}

// executeSweep runs the sweep the options select, writes summary.json,
// prints the table and reports failures on stderr. The code is ExitInvalid
// for a bad config, ExitInfra when interrupted, else ExitOK; failed
// configurations are in the outcome.
func executeSweep(ctx context.Context, env *Env, opts runOptions) (sweepDone, int) {
	cfg, servers, err := loadSweep(opts.sweepOptions)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return sweepDone{}, ExitInvalid
	}
	sw := &sweeper{env: env, cfg: cfg, resume: opts.resume, shard: opts.shard, machine: captureEnv(ctx, env)}
	outcome := sw.run(ctx, servers)
	if err := sw.writeSummaries(servers); err != nil {
		fmt.Fprintf(env.Stderr, "vllm-bench: %v\n", err)
	}
	printRunTable(env.Stdout, outcome.rows)
	done := sweepDone{cfg: cfg, servers: servers, outcome: outcome}
	if ctx.Err() != nil {
		fmt.Fprintln(env.Stderr, "vllm-bench: interrupted; finished result files are kept, run again with --resume to finish")
		return done, ExitInfra
	}
	if len(outcome.failures) > 0 {
		fmt.Fprintf(env.Stderr, "\nvllm-bench: %s failed:\n", plural(len(outcome.failures), "server configuration"))
		for _, f := range outcome.failures {
			fmt.Fprintf(env.Stderr, "  - %s\n", firstLine(f))
		}
	}
	return done, ExitOK
}
