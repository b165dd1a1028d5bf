package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// cmdBaseline is `vllm-bench baseline update`: it promotes the complete,
// unfailed points of a results directory to baselines and appends the
// runs' history.
func cmdBaseline(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "update" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stderr, "Usage: vllm-bench baseline update --results DIR --baselines DIR [-c CONFIG] [--history-cap N] [--accept REASON]")
			return nil
		}
		return invalidf("baseline: expected the subcommand 'update' (vllm-bench baseline update --results DIR --baselines DIR)")
	}
	fs := newFlags(env, "baseline update", "--results DIR --baselines DIR [-c CONFIG] [--history-cap N] [--accept REASON]")
	resultsDir := fs.String("results", "", "directory of result files to promote")
	baselinesDir := fs.String("baselines", "baselines", "directory of stored baselines")
	cfgPath := fs.String("c", "", "config file: history keeps only its runs' gated metrics (default: every statistic)")
	historyCap := fs.Int("history-cap", baseline.DefaultHistoryCap, "most lines a run's history.jsonl keeps")
	accept := fs.String("accept", "", "why these results become the baselines although the gate flagged them; written into the history line with the user's name")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *resultsDir == "" {
		return invalidf("baseline update: --results DIR is required")
	}
	if *historyCap < 1 {
		return invalidf("baseline update: --history-cap: must be >= 1, got %d", *historyCap)
	}
	var cfg *config.Config
	if *cfgPath != "" {
		var err error
		if cfg, err = loadConfig(*cfgPath); err != nil {
			return err
		}
	}
	opts := historyOptions(cfg)
	opts.HistoryCap = *historyCap
	if reason := strings.TrimSpace(*accept); reason != "" {
		opts.AcceptReason, opts.AcceptedBy = reason, actor(env.Getenv)
	}
	up, err := baseline.UpdateWith(*resultsDir, *baselinesDir, opts)
	if up != nil {
		for _, s := range up.Skipped {
			fmt.Fprintf(env.Stderr, "vllm-bench: baseline update: skipped %s: %s\n", s.Name, s.Reason)
		}
	}
	if err != nil {
		return invalidf("baseline update: %v", err)
	}
	fmt.Fprintf(env.Stdout, "promoted %s to %s, skipped %d; %s updated\n",
		plural(len(up.Promoted), "point"), *baselinesDir, len(up.Skipped), plural(len(up.Histories), "history file"))
	if opts.AcceptReason != "" {
		fmt.Fprintf(env.Stdout, "accepted by %s: %s\n", opts.AcceptedBy, opts.AcceptReason)
	}
	return nil
}

// actor names who runs the command, for the history: the workflow's actor
// on GitHub Actions, else the login name.
func actor(getenv func(string) string) string {
	for _, k := range []string{"GITHUB_ACTOR", "USER", "USERNAME"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return "an unnamed user"
}
