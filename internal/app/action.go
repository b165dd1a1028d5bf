package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// The reports the action writes into the first results directory, whole
// even when the PR comment had to be trimmed.
const (
	// reportFile is the markdown report, as the job summary shows it
	// (the report-path output).
	reportFile = "report.md"
	// reportJSONFile is the JSON report: an array with one entry per
	// results directory, each as compare --format json writes it (the
	// report-json output).
	reportJSONFile = "report.json"
)

// cmdAction is the GitHub Action's entrypoint. It reads its inputs from
// INPUT_* variables, runs the sweep (mode all or run), merges shard results
// (mode compare), gates them against the baselines (or, mode ab, runs and
// gates a paired A/B comparison), writes the job summary and the sticky PR
// comment, and sets the outputs; mode plan only sets the matrix of the
// shards. The exit code follows the gate: 1 on regression when
// fail-on-regression is true, 3 when a server failed, 2 on bad inputs.
func cmdAction(ctx context.Context, env *Env, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		actionUsage(env.Stdout)
		return nil
	}
	if len(args) > 0 {
		return invalidf("action takes no arguments; it reads the action's inputs from INPUT_* variables (run it from action.yml, or see 'vllm-bench action --help')")
	}
	gh := github.Env{Getenv: env.Getenv, Stdout: env.Stdout}
	x := github.NewActions(gh)
	in, err := x.Inputs()
	if err != nil {
		return actionInvalid(x, err)
	}
	if err := preflight(env, x, &in); err != nil {
		return actionInvalid(x, err)
	}

	if in.Mode == github.ModePlan {
		return planMode(ctx, env, x, in)
	}

	var (
		resultsDirs []string
		costDirs    []string // whose summary.json accounts for the servers started
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
			out, err = runSweep(ctx, env, plan, runnerOptions(env, plan.Config, in.Baselines, false, &groups{lines: newLines(env.Stderr), x: x}))
		}
		if err != nil {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return err
		}
		for _, line := range suspectWarnings(out.Rows) {
			x.Warning(line)
		}
		cfg, resultsDirs, infraFailed = plan.Config, plan.OutputDirs(), len(out.Failures) > 0
		costDirs = resultsDirs
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
		costDirs = []string{filepath.Join(dir, runner.SideBaseline), filepath.Join(dir, runner.SideCandidate)}
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
		costDirs, _ = in.ResultDirs() // the shards' own summaries: the merge keeps no accounting
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
	text, annotations := renderAll(reports)
	var sections string // what the action knows beside the reports
	if len(missing) > 0 {
		sections = report.MissingSection(missing)
	}
	// Regressions accepted on purpose pass the check and say so; a failed
	// or missing point is never accepted.
	acc := acceptanceOf(in, env.Getenv)
	outcome := verdict.Verdict
	if acc != nil && outcome == gate.VerdictRegression {
		outcome = VerdictAccepted
		sections = report.AcceptedSection(acc.by, acc.reason, reports) + sections
		for _, a := range annotations {
			x.Warning("accepted: " + a)
		}
		annotations = nil
	}
	fmt.Fprint(env.Stdout, text)
	for _, g := range reports {
		for _, w := range report.New(g).WarningAnnotations() {
			x.Warning(w) // regressions on a throttled GPU (gate.on_throttle: warn)
		}
	}
	_, pubErr := publishReports(ctx, gh, x, reports, sections, github.PublishOptions{
		Cost: costLines(costDirs), Verdict: outcome, Regressions: verdict.Regressions, GateFailed: !verdict.OK(),
		ErrorLines: annotations, Comment: in.Comment, ConfigPath: in.Config, Token: in.GitHubToken,
		ResultsDir: resultsDirs[0],
	})
	if pubErr != nil {
		x.Error("publishing the report: " + pubErr.Error())
	}
	newChanges := 0
	if in.UpdateBaselines {
		gated := verdict.Verdict
		if infraFailed {
			gated = gate.VerdictFailed
		}
		updateBaselines(env, x, resultsDirs, in.Baselines, cfg, gated, len(verdict.Missing), acc)
		if nightlyEvent(env.Getenv) {
			newChanges = nightlyTrend(env, x, in.Baselines, cfg)
		}
	}
	switch {
	case infraFailed || pubErr != nil:
		return quietExit(ExitInfra)
	case !verdict.OK() && outcome != VerdictAccepted && in.FailOnRegression:
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

// publishReports publishes the reports, after sections (what the action
// knows beside them: shards not delivered, an acceptance): the full
// markdown to the job summary and, with the JSON report, into the results
// directory (opts.ResultsDir); the PR comment whole when it fits, else
// trimmed with a link to the job summary and the two files' paths.
func publishReports(ctx context.Context, gh github.Env, x *github.Actions, reports []*gate.Report, sections string, opts github.PublishOptions) (github.PublishResult, error) {
	full := make([]string, 0, len(reports))
	for _, g := range reports {
		full = append(full, report.New(g).Markdown())
	}
	opts.Summary = sections + strings.Join(full, "\n\n")
	opts.ReportPath, opts.ReportJSON = writeReports(x, opts.ResultsDir, opts.Summary, reports)
	where := report.FullReport{RunURL: github.RunURL(gh.Getenv)}
	for _, p := range []string{opts.ReportPath, opts.ReportJSON} {
		if p != "" {
			where.Files = append(where.Files, p)
		}
	}
	opts.Markdown = sections + commentOf(reports, where)
	return github.Publish(ctx, gh, opts)
}

// writeReports writes the full markdown report and the JSON report into
// dir and returns their paths; a report that could not be written is a
// warning and its path "".
func writeReports(x *github.Actions, dir, markdown string, reports []*gate.Report) (mdPath, jsonPath string) {
	mdPath, jsonPath = filepath.Join(dir, reportFile), filepath.Join(dir, reportJSONFile)
	if err := results.WriteAtomic(mdPath, []byte(markdown)); err != nil {
		x.Warning(fmt.Sprintf("report not written to %q: %v", mdPath, err))
		mdPath = ""
	}
	data, err := reportsJSON(reports)
	if err == nil {
		err = results.WriteAtomic(jsonPath, data)
	}
	if err != nil {
		x.Warning(fmt.Sprintf("JSON report not written to %q: %v", jsonPath, err))
		jsonPath = ""
	}
	return mdPath, jsonPath
}

// reportsJSON is the JSON report of the action: an array with each
// report as compare --format json writes it.
func reportsJSON(reports []*gate.Report) ([]byte, error) {
	all := make([]json.RawMessage, 0, len(reports))
	for _, g := range reports {
		data, err := report.New(g).JSON()
		if err != nil {
			return nil, err
		}
		all = append(all, data)
	}
	data, err := json.MarshalIndent(all, "", "  ")
	return append(data, '\n'), err
}

// commentOf is the PR comment's version of the reports, joined: each
// whole when it fits a comment, else trimmed with a line that says where
// the full report is.
func commentOf(reports []*gate.Report, full report.FullReport) string {
	md := make([]string, 0, len(reports))
	for _, g := range reports {
		c, _ := report.New(g).Comment(full)
		md = append(md, c)
	}
	return strings.Join(md, "\n\n")
}

// renderAll renders the reports of a config's output directories for the
// log: the text one after another, and every annotation.
func renderAll(reports []*gate.Report) (text string, annotations []string) {
	for _, g := range reports {
		r := report.New(g)
		annotations = append(annotations, r.Annotations()...)
		text += r.Text()
	}
	return text, annotations
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

// actionInvalid reports invalid input as ::error lines and the error
// verdict; the message is not printed again.
func actionInvalid(x *github.Actions, err error) error {
	for _, line := range strings.Split(err.Error(), "\n") {
		x.Error(line)
	}
	_ = x.SetOutput(github.OutputVerdict, "error")
	return quietExit(ExitInvalid)
}

// preflight checks, before any server starts, what the action will need
// after the sweep: the config, the baselines directory, the results
// directories of mode compare, and, for the modes that publish, the
// triggering event's payload and whether a PR comment can be written. A
// problem is an error (exit 2) naming its input or file; a comment that
// cannot be written is a warning, and with no token the comment is not
// attempted.
func preflight(env *Env, x *github.Actions, in *github.Inputs) error {
	if in.Mode == github.ModePlan {
		return nil // plan reads only the config, and runs nothing
	}
	cfg, err := loadConfig(in.Config)
	if err != nil {
		return err
	}
	if in.Mode == github.ModeAll || in.Mode == github.ModeCompare {
		if err := checkBaselines(in.Baselines, cfg); err != nil {
			return err
		}
	}
	if in.Mode == github.ModeCompare {
		if _, err := in.ResultDirs(); err != nil {
			return err
		}
	}
	if in.Mode == github.ModeRun {
		return nil // a shard job writes results only; the compare job publishes
	}
	ev, err := github.LoadEvent(env.Getenv)
	if err != nil {
		return fmt.Errorf("the triggering event, which the PR comment needs: %w (run the action from a workflow, or unset GITHUB_EVENT_NAME)", err)
	}
	if ev.PR == 0 || in.Comment == github.CommentNever {
		return nil
	}
	switch {
	case in.GitHubToken == "":
		x.Warning(fmt.Sprintf("no PR comment on #%d: the github-token input is empty; the results go to the job summary only", ev.PR))
		// Said once, here: publishing does not try, nor warn again.
		in.Comment = github.CommentNever
	case ev.Fork && ev.Name == "pull_request":
		x.Warning(fmt.Sprintf("pull request #%d comes from a fork, whose pull_request workflows get a read-only token: the PR comment will most likely be refused, and the results stay in the job summary", ev.PR))
	}
	return nil
}

// checkBaselines checks the baselines directory before the sweep: when it
// exists it must be a directory, and the stored baselines and history of
// each of cfg's runs must be readable. A missing directory is no error (every
// point is new; the gate warns so after the sweep).
func checkBaselines(dir string, cfg *config.Config) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("input %q: %w", github.InputBaselines, err)
	case !st.IsDir():
		return fmt.Errorf("input %q: %q is a file, not the directory of the stored baselines", github.InputBaselines, dir)
	}
	for _, r := range cfg.Runs {
		runDir := baseline.Dir(dir, r.Name)
		st, err := os.Stat(runDir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil && !st.IsDir() {
			err = fmt.Errorf("%q is a file, not the directory of run %q's baselines", runDir, r.Name)
		}
		if err == nil {
			_, err = baseline.ReadHistory(filepath.Join(runDir, baseline.HistoryFile))
		}
		if err == nil {
			_, err = baseline.LoadResults(runDir)
		}
		if err != nil {
			return fmt.Errorf("input %q: %w", github.InputBaselines, err)
		}
	}
	return nil
}

// actionUsage prints what `vllm-bench action` reads: every input of
// action.yml, with its default.
func actionUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: vllm-bench action

The GitHub Action's entrypoint, run by action.yml. It reads the action's
inputs from environment variables named INPUT_ and the input's name in upper
case with hyphens kept (INPUT_CONFIG, INPUT_GITHUB-TOKEN, ...), checks all of
them, the config, the baselines and the triggering event before any server
starts, then runs, gates and publishes as the mode says.

Inputs (name, default, what it does):
`)
	for _, d := range github.InputDocs {
		def := d.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(w, "  %-21s %-25s %s\n", d.Name, def, d.Summary)
	}
	fmt.Fprint(w, `
Outputs (GITHUB_OUTPUT): verdict, regressions, results-dir, report-path
(report.md, the full report), report-json (report.json), comment-url, matrix
(mode plan), change-points (nightly runs); the install step adds
vllm-bench-version and install-source.

By hand: env 'INPUT_CONFIG=bench.yaml' 'INPUT_ENGINE=sim' vllm-bench action
Exit codes: 0 ok, 1 regression, 2 invalid input, 3 infrastructure failure.
`)
}
