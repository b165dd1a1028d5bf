package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// reportFile is the name of the markdown report the action writes next to
// the results (the report-path output).
const reportFile = "report.md"

// cmdAction is the GitHub Action's entrypoint. It reads its inputs from
// INPUT_* variables, runs the sweep (mode all or run), merges shard results
// (mode compare), gates them against the baselines, writes the job summary
// and the sticky PR comment, and sets the outputs. The exit code follows the
// gate: 1 on regression when fail-on-regression is true, 3 when a server
// failed, 2 on bad inputs.
func cmdAction(ctx context.Context, env *Env, args []string) int {
	if len(args) > 0 {
		return errorf(env, ExitInvalid, "action takes no arguments; it reads the action's inputs from INPUT_* variables (run it from action.yml)")
	}
	gh := github.Env{Getenv: env.Getenv, Stdout: env.Stdout}
	x := github.NewActions(gh)
	in, err := x.Inputs()
	if err != nil {
		return actionInvalid(x, err)
	}

	var (
		resultsDirs []string
		cfg         *config.Config
		infraFailed bool
		missing     []string // points no shard delivered (mode compare)
	)
	switch in.Mode {
	case github.ModeRun, github.ModeAll:
		done, code := executeSweep(ctx, env, runOptions{sweepOptions: sweepOptions{configPath: in.Config, engine: in.Engine, shard: in.Shard}})
		if code != ExitOK {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return code
		}
		cfg, resultsDirs, infraFailed = done.cfg, done.outputDirs(), len(done.outcome.failures) > 0
		if in.Mode == github.ModeRun {
			return finishRunMode(x, resultsDirs, infraFailed)
		}
	case github.ModeCompare:
		cfg, err = config.Load(in.Config)
		if err != nil {
			return actionInvalid(x, err)
		}
		var dir string
		var code int
		dir, missing, code = mergeForCompare(env, in)
		if code != ExitOK {
			_ = x.SetOutput(github.OutputVerdict, "error")
			return code
		}
		resultsDirs = []string{dir}
		for _, m := range missing {
			// A shard that never delivered must not pass as a clean gate.
			x.Error("not measured: " + m)
			infraFailed = true
		}
	}

	ov := gateOverride{}
	if in.HasTolerance {
		ov.tolerance = &in.Tolerance
	}
	if in.HasAlpha {
		ov.alpha = &in.Alpha
	}
	if msg := missingBaselines(in.Baselines); msg != "" {
		x.Warning(msg)
	}
	reports, err := compareEach(resultsDirs, in.Baselines, cfg, ov)
	if err != nil {
		return actionInvalid(x, err)
	}
	g := gateOf(reports)
	if len(missing) > 0 {
		g.markdown = missingSection(missing) + g.markdown
		if g.verdict == report.VerdictPass {
			g.verdict = report.VerdictFailed
		}
	}
	fmt.Fprint(env.Stdout, g.text)
	reportPath := filepath.Join(resultsDirs[0], reportFile)
	if err := results.WriteAtomic(reportPath, []byte(g.markdown)); err != nil {
		x.Warning(fmt.Sprintf("report not written to %q: %v", reportPath, err))
		reportPath = ""
	}
	_, pubErr := github.Publish(ctx, gh, github.PublishOptions{
		Markdown: g.markdown, Verdict: g.verdict, Regressions: g.regressions, GateFailed: g.verdict != report.VerdictPass,
		ErrorLines: g.annotations, Comment: in.Comment, ConfigPath: in.Config, Token: in.GitHubToken,
		ResultsDir: resultsDirs[0], ReportPath: reportPath,
	})
	if pubErr != nil {
		x.Error("publishing the report: " + pubErr.Error())
	}
	if in.UpdateBaselines {
		updateBaselines(env, x, resultsDirs, in.Baselines, g.verdict == report.VerdictPass && !infraFailed)
	}
	switch {
	case infraFailed || pubErr != nil:
		return ExitInfra
	case g.verdict != report.VerdictPass && in.FailOnRegression:
		return ExitRegression
	}
	return ExitOK
}

// gate is the combined verdict of one or more reports (one per output
// directory of a config).
type gate struct {
	verdict     string
	regressions int
	markdown    string
	text        string
	annotations []string
}

func gateOf(reports []*report.Report) gate {
	g := gate{verdict: report.VerdictPass}
	var md []string
	for _, r := range reports {
		g.regressions += r.Regressions()
		g.annotations = append(g.annotations, r.Annotations()...)
		md = append(md, r.Markdown())
		g.text += r.Text()
		switch v := r.Verdict(); {
		case v == report.VerdictFailed:
			g.verdict = v
		case v == report.VerdictRegression && g.verdict == report.VerdictPass:
			g.verdict = v
		}
	}
	g.markdown = strings.Join(md, "\n\n")
	return g
}

// missingSection lists, at the top of the report, what no shard delivered.
func missingSection(missing []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> [!WARNING]\n> %d points or shards were not measured; the gate cannot pass without them:\n", len(missing))
	for _, m := range missing {
		fmt.Fprintf(&b, "> - %s\n", m)
	}
	return b.String() + "\n"
}

// finishRunMode sets the outputs of a matrix job that only measures; the
// compare job gates.
func finishRunMode(x *github.Actions, dirs []string, infraFailed bool) int {
	_ = x.SetOutput(github.OutputResultsDir, dirs[0])
	if infraFailed {
		_ = x.SetOutput(github.OutputVerdict, "error")
		return ExitInfra
	}
	return ExitOK
}

// mergeForCompare merges the shard directories of the results input into
// a new directory under RUNNER_TEMP (or the system temp dir). It returns
// the points and shards that are missing.
func mergeForCompare(env *Env, in github.Inputs) (dir string, missing []string, code int) {
	dirs, err := in.ResultDirs()
	if err != nil {
		return "", nil, errorf(env, ExitInvalid, "input results: %v", err)
	}
	tmp := env.Getenv("RUNNER_TEMP")
	if tmp == "" {
		tmp = os.TempDir()
	}
	out, err := os.MkdirTemp(tmp, "vllm-bench-merged-")
	if err != nil {
		return "", nil, errorf(env, ExitInfra, "merge: %v", err)
	}
	merged, err := mergeShards(out, dirs)
	if err != nil {
		return "", nil, errorf(env, ExitInvalid, "merge: %v", err)
	}
	return out, merged.missing, ExitOK
}

// updateBaselines promotes the results when the gate passed; a failed gate
// never becomes the new reference.
func updateBaselines(env *Env, x *github.Actions, dirs []string, baselines string, passed bool) {
	if !passed {
		x.Warning("update-baselines: not updated, because the gate did not pass")
		return
	}
	for _, dir := range dirs {
		u, err := baseline.Update(dir, baselines)
		if err != nil {
			x.Error("update-baselines: " + err.Error())
			continue
		}
		fmt.Fprintf(env.Stderr, "update-baselines: promoted %d points from %s into %s\n", len(u.Promoted), dir, baselines)
	}
}

// actionInvalid reports invalid input as ::error lines and the error verdict.
func actionInvalid(x *github.Actions, err error) int {
	for _, line := range strings.Split(err.Error(), "\n") {
		x.Error(line)
	}
	_ = x.SetOutput(github.OutputVerdict, "error")
	return ExitInvalid
}
