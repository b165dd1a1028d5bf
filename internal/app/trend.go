package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// trendFlags are the flags trend and dashboard share.
type trendFlags struct {
	baselines string
	cfgPath   string
	repo      string
	detect    stats.EDivisiveOptions
}

// trendUsage is the flag synopsis trend and dashboard share.
const trendUsage = "--baselines DIR [-c CONFIG] [--repo URL] [--alpha F] [--min-runs N]"

// register adds the shared flags to fs.
func (f *trendFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.baselines, "baselines", "baselines", "directory of stored baselines and their history.jsonl")
	fs.StringVar(&f.cfgPath, "c", "", "config file whose runs and gate.metrics are analysed (default: every run, the default gated metrics)")
	fs.StringVar(&f.repo, "repo", "", "repository URL that commits link to (default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY)")
	fs.Func("alpha", fmt.Sprintf("significance level of each change point, in (0, 1) (default %g)", stats.DefaultChangePointAlpha), func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 || v >= 1 {
			return fmt.Errorf("must be in (0, 1), got %q", s)
		}
		f.detect.Alpha = v
		return nil
	})
	fs.Func("min-runs", fmt.Sprintf("fewest runs on each side of a change point, >= 2 (default %d)", stats.DefaultMinSegment), func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 2 {
			return fmt.Errorf("must be an integer >= 2, got %q", s)
		}
		f.detect.MinSegment = v
		return nil
	})
}

// analyze loads the config (when given) and analyses the history. Errors
// carry exit code 2 and name the file; cmd prefixes the others. A missing
// baselines directory is a warning on stderr (a first night has none).
func (f *trendFlags) analyze(env *Env, cmd string) (*trend.Analysis, error) {
	if _, err := os.Stat(f.baselines); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.Stderr, "vllm-bench: warning: %s: baselines directory %q does not exist: no history to analyse\n", cmd, f.baselines)
	}
	opts := trend.Options{Detect: f.detect}
	if f.cfgPath != "" {
		cfg, err := loadConfig(f.cfgPath)
		if err != nil {
			return nil, err
		}
		opts.Metrics = map[string][]string{}
		for _, r := range cfg.Runs {
			opts.Runs = append(opts.Runs, r.Name)
			opts.Metrics[r.Name] = gate.Resolve(r.Gate).Metrics
		}
	}
	a, err := trend.Analyze(f.baselines, opts)
	if err != nil {
		return nil, invalidf("%s: %v", cmd, err)
	}
	return a, nil
}

// repoURL returns the repository URL commits link to: the flag, else the
// one GitHub Actions names, else none.
func (f *trendFlags) repoURL(env *Env) string {
	if f.repo != "" {
		return strings.TrimSuffix(f.repo, "/")
	}
	return actionsRepoURL(env.Getenv)
}

// actionsRepoURL returns the URL of the repository a GitHub Actions job
// runs in ($GITHUB_SERVER_URL/$GITHUB_REPOSITORY), or "" outside Actions.
func actionsRepoURL(getenv func(string) string) string {
	server, repo := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return ""
	}
	if server == "" {
		server = "https://github.com"
	}
	return strings.TrimSuffix(server, "/") + "/" + repo
}

// cmdTrend is `vllm-bench trend`: change points over each run's history.
// Exit 0: analysed (change points or not); 1: with --fail-on-change-point,
// the newest run revealed a change point for the worse; 2: bad flags or an
// unreadable history or config.
func cmdTrend(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "trend", trendUsage+" [--format text|markdown|json] [--out FILE] [--fail-on-change-point]")
	var f trendFlags
	f.register(fs)
	format := fs.String("format", formatText, "report format: text, markdown or json")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	failOn := fs.Bool("fail-on-change-point", false, "exit 1 when the newest run reveals a change point for the worse")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != formatText && *format != formatMarkdown && *format != formatJSON {
		return invalidf("trend: --format: must be text, markdown or json, got %q", *format)
	}
	a, err := f.analyze(env, "trend")
	if err != nil {
		return err
	}
	var data []byte
	switch *format {
	case formatText:
		data = []byte(a.Text())
	case formatMarkdown:
		data = []byte(a.Markdown(f.repoURL(env)))
	case formatJSON:
		if data, err = a.JSON(); err != nil {
			return infraf("trend: %v", err)
		}
		data = append(data, '\n')
	}
	if *out != "" {
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			return invalidf("trend: --out: write %q: %v", *out, err)
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: %s; report written to %s\n", a.Headline(), *out)
	} else if _, err := env.Stdout.Write(data); err != nil {
		return infraf("trend: write report: %v", err)
	}
	if *failOn && a.NewRegressions() > 0 {
		return quietExit(ExitRegression)
	}
	return nil
}
