package app

import (
	"fmt"
	"strconv"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// nightlyEvent reports whether the workflow run is a nightly one: started
// by its schedule, or by hand (workflow_dispatch) as nightly workflows
// offer for a re-run.
func nightlyEvent(getenv func(string) string) bool {
	switch getenv("GITHUB_EVENT_NAME") {
	case "schedule", "workflow_dispatch":
		return true
	}
	return false
}

// historyOptions is how accepted runs go into history: per run only its
// gated metrics (cfg nil: every statistic), and compaction keeps the runs
// around every change point.
func historyOptions(cfg *config.Config) baseline.UpdateOptions {
	opts := baseline.UpdateOptions{Keep: trend.Keep(stats.EDivisiveOptions{})}
	if cfg != nil {
		opts.Metrics = map[string][]string{}
		for _, r := range cfg.Runs {
			opts.Metrics[r.Name] = gate.Resolve(r.Gate).Metrics
		}
	}
	return opts
}

// nightlyTrend analyses the updated history of cfg's runs, appends the
// trend report (a change-point table and a mermaid chart per gated metric)
// to the job summary, sets the change-points output and annotates every
// change point the newest run revealed for the worse. It returns their
// number; a history it cannot read is a warning, not a failed night.
func nightlyTrend(env *Env, x *github.Actions, baselines string, cfg *config.Config) int {
	opts := trend.Options{Metrics: map[string][]string{}}
	for _, r := range cfg.Runs {
		opts.Runs = append(opts.Runs, r.Name)
		opts.Metrics[r.Name] = gate.Resolve(r.Gate).Metrics
	}
	a, err := trend.Analyze(baselines, opts)
	if err != nil {
		x.Warning("trend: " + err.Error())
		return 0
	}
	if err := x.AppendSummary("\n" + a.Markdown(actionsRepoURL(env.Getenv))); err != nil {
		x.Warning("trend: job summary: " + err.Error())
	}
	if err := x.SetOutput(github.OutputChangePoints, strconv.Itoa(a.ChangePoints())); err != nil {
		x.Warning("trend: " + err.Error())
	}
	lines := a.Annotations()
	for _, line := range lines {
		x.Error(line)
	}
	fmt.Fprintln(env.Stderr, a.Headline())
	return len(lines)
}
