package app

import (
	"context"
	"fmt"
)

// cmdValidate is `vllm-bench validate`: it loads a config and reports every
// problem in it (exit 2), or what it would run and an estimate of how long
// it takes, with a warning when that passes a threshold.
func cmdValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "validate", "-c CONFIG")
	var opts sweepOptions
	fs.StringVar(&opts.configPath, "c", "", "config file to check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	plan, err := loadPlan(opts)
	if err != nil {
		return err
	}
	est := estimateSweep(plan.Servers)
	printWarnings(env, append(configWarnings(ctx, plan.Config), est.warnings()...))
	fmt.Fprintf(env.Stdout, "%s: ok (%s, %s, %s; %s)\n", plan.Config.Path, plural(len(plan.Config.Runs), "run"), plural(len(plan.Servers), "server"), plural(plan.Points(), "point"), est.line())
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
