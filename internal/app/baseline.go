package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// cmdBaseline is `vllm-bench baseline update`: it promotes the complete,
// unfailed points of a results directory to baselines and appends the
// runs' history, all or nothing. Suspect points (a saturated client, host
// CPU pressure or steal, a simulator that fell behind, another process or
// a throttle on the GPUs) are refused with exit 1 unless --allow-suspect;
// an unreadable history or results directory is exit 2. Either way nothing
// under --baselines changes.
func cmdBaseline(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "update" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stderr, "Usage: vllm-bench baseline update --results DIR --baselines DIR [-c CONFIG] [--history-cap N] [--accept REASON] [--allow-suspect]")
			return nil
		}
		return invalidf("baseline: expected the subcommand 'update' (vllm-bench baseline update --results DIR --baselines DIR)")
	}
	fs := newFlags(env, "baseline update", "--results DIR --baselines DIR [-c CONFIG] [--history-cap N] [--accept REASON] [--allow-suspect]")
	resultsDir := fs.String("results", "", "directory of result files to promote")
	baselinesDir := fs.String("baselines", "baselines", "directory of stored baselines")
	cfgPath := fs.String("c", "", "config file: history keeps only its runs' gated metrics (default: every statistic)")
	historyCap := fs.Int("history-cap", baseline.DefaultHistoryCap, "most lines a run's history.jsonl keeps")
	accept := fs.String("accept", "", "why these results become the baselines although the gate flagged them; written into the history line with the user's name")
	allowSuspect := fs.Bool("allow-suspect", allowSuspectEnv(env), "promote points whose measurement is suspect (saturated client, busy host, simulator behind, GPU shared or throttled) all the same (default: true when $VLLM_BENCH_ALLOW_SUSPECT is 1)")
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
	opts.HistoryCap, opts.AllowSuspect = *historyCap, *allowSuspect
	if reason := strings.TrimSpace(*accept); reason != "" {
		opts.AcceptReason, opts.AcceptedBy = reason, actor(env.Getenv)
	}
	up, err := baseline.UpdateWith(*resultsDir, *baselinesDir, opts)
	if up != nil {
		for _, s := range up.Skipped {
			fmt.Fprintf(env.Stderr, "vllm-bench: baseline update: skipped %s: %s\n", s.Name, s.Reason)
		}
		if err == nil {
			for _, s := range up.Suspect {
				fmt.Fprintf(env.Stderr, "warning: baseline update: promoted %s although it is suspect (--allow-suspect): %s\n", s.Name, s.Reason)
			}
		}
	}
	var suspect *baseline.SuspectError
	if errors.As(err, &suspect) {
		return &exitError{code: ExitRegression, err: fmt.Errorf("baseline update: %w", err)}
	}
	if errors.Is(err, baseline.ErrPartlyWritten) {
		return infraf("baseline update: %v", err)
	}
	if err != nil {
		return invalidf("baseline update: %v; nothing under %s was changed", err, *baselinesDir)
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

// allowSuspectVar set to 1 lets suspect points into the baselines wherever
// they are promoted: baseline update (as --allow-suspect does), the
// action's update-baselines and calibrate --baselines.
const allowSuspectVar = "VLLM_BENCH_ALLOW_SUSPECT"

// allowSuspectEnv reports whether allowSuspectVar is set to 1.
func allowSuspectEnv(env *Env) bool { return env.Getenv(allowSuspectVar) == "1" }
