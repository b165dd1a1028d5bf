package app

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/vllm-bench-action/vllm-bench-action/internal/dashboard"
)

// cmdDashboard is `vllm-bench dashboard`: it writes the static trend site
// of the baselines' history. Exit 0: written; 2: bad flags, an unreadable
// history or config, or an unwritable output directory.
func cmdDashboard(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "dashboard", trendUsage+" --out SITE [--title TEXT]")
	var f trendFlags
	f.register(fs)
	out := fs.String("out", "", "directory to write the site into (index.html and assets/)")
	title := fs.String("title", "", "page title (default \"vLLM benchmark trends\")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return invalidf("dashboard: --out SITE is required")
	}
	a, err := f.analyze(env, "dashboard")
	if err != nil {
		return err
	}
	if err := dashboard.Write(*out, a, dashboard.Options{RepoURL: f.repoURL(env), Title: *title}); err != nil {
		return invalidf("dashboard: %v", err)
	}
	fmt.Fprintf(env.Stdout, "%s; dashboard written to %s\n", a.Headline(), filepath.Join(*out, dashboard.IndexFile))
	return nil
}
