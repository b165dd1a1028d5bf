package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// reportFile is the name of the markdown report the action writes next to
// the results (the report-path output).
const reportFile = "report.md"

// cmdAction is the GitHub Action's entrypoint. It reads its inputs from
// INPUT_* variables, runs the sweep (mode all or run), merges shard results
// (mode compare), gates them against the baselines (or, mode ab, runs and
// gates a paired A/B comparison), writes the job summary and the sticky PR
// comment, and sets the outputs; mode plan only sets the matrix of the
// shards. The exit code follows the gate: 1 on regression when
// fail-on-regression is true, 3 when a server failed, 2 on bad inputs.
func cmdAction(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return invalidf("action takes no arguments; it reads the action's inputs from INPUT_* variables (run it from action.yml)")
	}
	gh := github.Env{Getenv: env.Getenv, Stdout: env.Stdout}
	x := github.NewActions(gh)
	in, err := x.Inputs()
	if err != nil {
		return actionInvalid(x, err)
	}

	if in.Mode == github.ModePlan {
		return planMode(ctx, env, x, in)
	}

	var (
		resultsDirs []string
		cfg         *config.Config
		infraFailed bool
		missing     []string       // shards no directory delivered (mode compare)
		reports     []*gate.Report // judged already (mode ab)
	)
	var ov gate.Override
	if in.HasTolerance {
		ov.Tolerance = &in.Tolerance
	}
	if in.HasAlpha {
		ov.Alpha = &in.Alpha
	}
	switch in.Mode {
	case github.ModeRun, github.ModeAll:
		plan, err := loadPlan(sweepOptions{configPath: in.Config, sel: runner.Selection{Engine: string(in.Engine), Shard: in.Shard}})
		var out runner.Outcome
		if err == nil {
			out, err = runSweep(ctx, env, plan, runnerOptions(env, false, &groups{lines: newLines(env.Stderr), x: x}))
		}
		if err != nil {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return err
		}
		for _, line := range clientWarnings(out.Rows) {
			x.Warning(line)
		}
		cfg, resultsDirs, infraFailed = plan.Config, plan.OutputDirs(), len(out.Failures) > 0
		if in.Mode == github.ModeRun {
			return finishRunMode(x, resultsDirs, infraFailed)
		}
	case github.ModeAB:
		plan, err := loadPlan(sweepOptions{configPath: in.Config, sel: runner.Selection{Engine: string(in.Engine)}})
		if err == nil {
			err = selectAB(&plan, 0)
		}
		var r *gate.Report
		var dir string
		if err == nil {
			// Next to where the config's sweeps write, so artifacts are
			// collected alike.
			dir = filepath.Join(plan.Servers[0].Run.Bench.OutputDir, "ab")
			r, err = runAB(ctx, env, plan, dir, ov, &groups{lines: newLines(env.Stderr), x: x})
		}
		if r == nil {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return err
		}
		if err != nil {
			x.Error(err.Error())
		}
		cfg, resultsDirs, reports, infraFailed = plan.Config, []string{dir}, []*gate.Report{r}, err != nil
	case github.ModeCompare:
		if cfg, err = loadConfig(in.Config); err != nil {
			return actionInvalid(x, err)
		}
		var dir string
		if dir, missing, err = mergeForCompare(env, in); err != nil {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return err
		}
		resultsDirs = []string{dir}
		for _, m := range missing {
			// A shard that never delivered must not pass as a clean gate.
			x.Error("not measured: " + m)
		}
	}

	if msg := gate.MissingBaselines(in.Baselines); msg != "" {
		x.Warning(msg)
	}
	if reports == nil {
		reports, err = gate.CompareDirs(resultsDirs, in.Baselines, cfg, ov)
	}
	if errors.Is(err, baseline.ErrNoResults) {
		x.Error(err.Error())
		_ = x.SetOutput(github.OutputVerdict, gate.VerdictFailed)
		return quietExit(ExitInfra)
	}
	if err != nil {
		return actionInvalid(x, err)
	}
	if infraFailed {
		// An interrupted or failed sweep is incomplete: no verdict.
		for _, r := range reports {
			if r.NoVerdict == "" {
				r.NoVerdict = "a server configuration failed"
			}
		}
	}
	verdict := gate.Combine(reports, missing)
	// Planned points that were not measured are an infrastructure failure.
	infraFailed = infraFailed || len(verdict.Missing) > 0
	markdown, text, annotations := renderAll(reports)
	if len(missing) > 0 {
		markdown = report.MissingSection(missing) + markdown
	}
	fmt.Fprint(env.Stdout, text)
	for _, g := range reports {
		for _, w := range report.New(g).WarningAnnotations() {
			x.Warning(w) // regressions on a throttled GPU (gate.on_throttle: warn)
		}
	}
	reportPath := filepath.Join(resultsDirs[0], reportFile)
	if err := results.WriteAtomic(reportPath, []byte(markdown)); err != nil {
		x.Warning(fmt.Sprintf("report not written to %q: %v", reportPath, err))
		reportPath = ""
	}
	_, pubErr := github.Publish(ctx, gh, github.PublishOptions{
		Markdown: markdown, Verdict: verdict.Verdict, Regressions: verdict.Regressions, GateFailed: !verdict.OK(),
		ErrorLines: annotations, Comment: in.Comment, ConfigPath: in.Config, Token: in.GitHubToken,
		ResultsDir: resultsDirs[0], ReportPath: reportPath,
	})
	if pubErr != nil {
		x.Error("publishing the report: " + pubErr.Error())
	}
	newChanges := 0
	if in.UpdateBaselines {
		updateBaselines(env, x, resultsDirs, in.Baselines, verdict.OK() && !infraFailed, cfg)
		if nightlyEvent(env.Getenv) {
			newChanges = nightlyTrend(env, x, in.Baselines, cfg)
		}
	}
	switch {
	case infraFailed || pubErr != nil:
		return quietExit(ExitInfra)
	case !verdict.OK() && in.FailOnRegression:
		return quietExit(ExitRegression)
	case newChanges > 0 && in.FailOnChangePoint:
		return quietExit(ExitRegression)
	}
	return nil
}

// groups is the action's runner.Observer: the command line's lines, with
// each server configuration's lines in a collapsible group of the job log.
type groups struct {
	*lines
	x   *github.Actions
	end func()
}

// BeginServer opens the configuration's group.
func (g *groups) BeginServer(i, n int, s sweep.ServerConfig) {
	g.end = g.x.Group(serverHeader(i, n, s))
}

// EndServer reports a failure and closes the group.
func (g *groups) EndServer(s sweep.ServerConfig, err error) {
	g.lines.EndServer(s, err)
	if g.end != nil {
		g.end()
		g.end = nil
	}
}

// renderAll renders the reports of a config's output directories: the
// markdown joined, the text one after another, and every annotation.
func renderAll(reports []*gate.Report) (markdown, text string, annotations []string) {
	md := make([]string, 0, len(reports))
	for _, g := range reports {
		r := report.New(g)
		annotations = append(annotations, r.Annotations()...)
		md = append(md, r.Markdown())
		text += r.Text()
	}
	return strings.Join(md, "\n\n"), text, annotations
}

// planMode sets the matrix output to the shards of the sweep, for the run
// jobs' strategy.matrix, and prints it. It warns, as plan does, on sizes no
// benchmark means and on more shards than server configurations.
func planMode(ctx context.Context, env *Env, x *github.Actions, in github.Inputs) error {
	plan, err := loadPlan(sweepOptions{configPath: in.Config, sel: runner.Selection{Engine: string(in.Engine)}})
	if err != nil {
		return actionInvalid(x, err)
	}
	warnings := configWarnings(ctx, plan.Config)
	if w := shardWarning(in.Shards, len(plan.Servers)); w != "" {
		warnings = append(warnings, w)
	}
	for _, w := range warnings {
		x.Warning(w)
	}
	matrix := matrixJSON(plan.Servers, in.Shards)
	fmt.Fprintf(env.Stderr, "matrix of %s: %s\n", plural(in.Shards, "shard"), matrix)
	if err := x.SetOutput(github.OutputMatrix, matrix); err != nil {
		return infraf("setting the matrix output: %v", err)
	}
	return nil
}

// finishRunMode sets the outputs of a matrix job that only measures; the
// compare job gates.
func finishRunMode(x *github.Actions, dirs []string, infraFailed bool) error {
	_ = x.SetOutput(github.OutputResultsDir, dirs[0])
	if infraFailed {
		_ = x.SetOutput(github.OutputVerdict, "error")
		return quietExit(ExitInfra)
	}
	return nil
}

// mergeForCompare merges the shard directories of the results input into
// a new directory under RUNNER_TEMP (or the system temp dir). It returns
// the points and shards that are missing.
func mergeForCompare(env *Env, in github.Inputs) (dir string, missing []string, err error) {
	dirs, err := in.ResultDirs()
	if err != nil {
		return "", nil, invalidf("input results: %v", err)
	}
	tmp := env.Getenv("RUNNER_TEMP")
	if tmp == "" {
		tmp = os.TempDir()
	}
	out, err := os.MkdirTemp(tmp, "vllm-bench-merged-")
	if err != nil {
		return "", nil, infraf("merge: %v", err)
	}
	merged, err := results.Merge(out, dirs)
	if err != nil {
		return "", nil, invalidf("merge: %v", err)
	}
	return out, merged.MissingShards, nil
}

// updateBaselines promotes the results when the gate passed; a failed gate
// never becomes the new reference. History keeps the gated metrics of
// cfg's runs.
func updateBaselines(env *Env, x *github.Actions, dirs []string, baselines string, passed bool, cfg *config.Config) {
	if !passed {
		x.Warning("update-baselines: not updated, because the gate did not pass")
		return
	}
	for _, dir := range dirs {
		u, err := baseline.UpdateWith(dir, baselines, historyOptions(cfg))
		if err != nil {
			x.Error("update-baselines: " + err.Error())
			continue
		}
		fmt.Fprintf(env.Stderr, "update-baselines: promoted %d points from %s into %s\n", len(u.Promoted), dir, baselines)
	}
}

// actionInvalid reports invalid input as ::error lines and the error
// verdict; the message is not printed again.
func actionInvalid(x *github.Actions, err error) error {
	for _, line := range strings.Split(err.Error(), "\n") {
		x.Error(line)
	}
	_ = x.SetOutput(github.OutputVerdict, "error")
	return quietExit(ExitInvalid)
}
