package app

import (
	"context"
	"fmt"
)

func cmdValidate(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "validate", "-c CONFIG")
	cfgPath := fs.String("c", "", "config file to check")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, servers, err := loadSweep(sweepOptions{configPath: *cfgPath})
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitInvalid
	}
	points := 0
	for _, s := range servers {
		points += len(s.Points)
	}
	fmt.Fprintf(env.Stdout, "%s: ok (%s, %s, %s)\n", cfg.Path, plural(len(cfg.Runs), "run"), plural(len(servers), "server"), plural(points, "point"))
	return ExitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
