package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// defaultABOut is where ab writes its results when --out is not given: a
// directory of that name under the first compared run's bench.output_dir.
const defaultABOut = "ab"

// abOptions are the flags of `vllm-bench ab`.
type abOptions struct {
	configPath, outDir, format, reportPath string
	rounds                                 int
	sel                                    runner.Selection
	ov                                     gate.Override
}

// cmdAB is `vllm-bench ab`: for every run with an ab section it starts the
// reference build and the candidate in turn on this machine (A B, B A, ...),
// a fresh server each time, and judges the paired per-round statistics
// after each round; each later round measures only the points still
// undecided (every point with ab.remeasure_settled), and a server
// configuration stops as soon as every verdict is clear. Exit 0: no
// regression; 1: a regression or a failed point; 2: bad flags or config;
// 3: a server failed or the comparison was interrupted.
func cmdAB(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "ab", "-c CONFIG [--out DIR] [--rounds N] [--run NAME] [--engine sim] [--format text|markdown|json] [--report FILE] [--tolerance F] [--alpha F] [--metrics a,b,c]")
	var o abOptions
	fs.StringVar(&o.configPath, "c", "", "config file; its runs with an ab section are compared")
	fs.StringVar(&o.outDir, "out", "", "write results into DIR/baseline and DIR/candidate (default: "+defaultABOut+"/ under the first compared run's bench.output_dir)")
	fs.IntVar(&o.rounds, "rounds", 0, fmt.Sprintf("most server starts per build, %d-%d (overrides ab.rounds; default %d)", config.MinABRounds, config.MaxABRounds, config.DefaultABRounds))
	fs.StringVar(&o.sel.Run, "run", "", "compare only the run of this name")
	fs.StringVar(&o.sel.Engine, "engine", "", "move every vLLM/SGLang run onto this engine (sim: the built-in simulator, no GPU needed)")
	fs.StringVar(&o.format, "format", formatText, "report format: markdown, text or json")
	fs.StringVar(&o.reportPath, "report", "", "write the report to this file instead of stdout")
	addGateFlags(fs, &o.ov)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := renderReport(report.New(&gate.Report{}), o.format); err != nil {
		return invalidf("ab: %v", err)
	}
	if flagSet(fs, "out") && o.outDir == "" {
		return invalidf("ab: --out: must name a directory")
	}
	if flagSet(fs, "rounds") && (o.rounds < config.MinABRounds || o.rounds > config.MaxABRounds) {
		return invalidf("ab: --rounds: must be between %d and %d (server starts per build), got %d", config.MinABRounds, config.MaxABRounds, o.rounds)
	}
	plan, err := loadPlan(sweepOptions{configPath: o.configPath, sel: o.sel})
	if err != nil {
		return err
	}
	if err := selectAB(&plan, o.rounds); err != nil {
		return err
	}
	if o.outDir == "" {
		o.outDir = underOutputDir(plan, defaultABOut)
	}
	r, err := runAB(ctx, env, plan, o.outDir, o.ov, newLines(env.Stderr))
	if r == nil {
		return err
	}
	data, rerr := renderReport(report.New(r), o.format)
	if rerr != nil {
		return invalidf("ab: %v", rerr)
	}
	if o.reportPath != "" {
		if werr := os.WriteFile(o.reportPath, data, 0o644); werr != nil {
			return invalidf("ab: --report: write %q: %v", o.reportPath, werr)
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: ab: %s; report written to %s\n", r.Verdict(), o.reportPath)
	} else if _, werr := env.Stdout.Write(data); werr != nil {
		return infraf("ab: write report: %v", werr)
	}
	if err != nil {
		return err
	}
	return gateExit(gate.Combine([]*gate.Report{r}, nil))
}

// flagSet reports whether the command line gave the flag of that name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// underOutputDir is the directory name under the bench.output_dir of the
// plan's first server configuration: where ab and calibrate write when
// --out is not given, beside the results of the config's own sweeps.
func underOutputDir(plan runner.Plan, name string) string {
	if len(plan.Servers) == 0 {
		return name
	}
	return filepath.Join(plan.Servers[0].Run.Bench.OutputDir, name)
}

// selectAB keeps the plan's server configurations whose run has an ab
// section, with rounds (when > 0) replacing ab.rounds.
func selectAB(plan *runner.Plan, rounds int) error {
	var keep []sweep.ServerConfig
	for _, s := range plan.Servers {
		if s.Run.AB != nil {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return invalidf("ab: no selected run of %s has an ab section; add one naming the reference build, e.g.\n  ab:\n    baseline:\n      extra_args: [...]", plan.Config.Path)
	}
	if rounds > 0 {
		for i := range plan.Config.Runs {
			if ab := plan.Config.Runs[i].AB; ab != nil {
				ab.Rounds = rounds
			}
		}
	}
	plan.Servers = keep
	return nil
}

// runAB runs the paired comparison of the plan and returns its report. The
// error is ExitInfra when a server failed or the comparison was
// interrupted; the report (nil only when nothing ran) then holds what was
// measured.
func runAB(ctx context.Context, env *Env, plan runner.Plan, outDir string, ov gate.Override, obs runner.Observer) (*gate.Report, error) {
	gates := gate.SettingsOf(plan.Config, ov)
	if l, ok := obs.(interface{ countsAtMost() }); ok {
		l.countsAtMost() // the comparison may stop before its last round
	}
	family := abFamilies(plan, gates)
	next := func(s sweep.ServerConfig, rounds []runner.ABRound) []sweep.Point {
		return pairedServer(s, rounds, gates, family).Next()
	}
	out, err := runner.RunAB(ctx, plan, outDir, runnerOptions(env, plan.Config, "", false, obs), next)
	if err != nil {
		fmt.Fprintf(env.Stderr, "vllm-bench: ab: %v\n", err)
	}
	var accounts []results.ServerAccount
	for _, s := range out.Servers {
		accounts = append(accounts, s.Accounts...)
	}
	for _, line := range abCostLines(accounts) {
		fmt.Fprintf(env.Stderr, "vllm-bench: ab: %s\n", line)
	}
	servers := make([]*gate.PairedServer, 0, len(out.Servers))
	for _, s := range out.Servers {
		if len(s.Rounds) > 0 {
			servers = append(servers, pairedServer(s.Server, s.Rounds, gates, family))
		}
	}
	var r *gate.Report
	if len(servers) > 0 {
		r = gate.ComparePaired(servers)
	}
	switch {
	case out.Interrupted:
		if r != nil {
			r.NoVerdict = "interrupted"
		}
		return r, infraf("ab: interrupted; finished result files are in %s", outDir)
	case len(out.Failures) > 0:
		if r != nil {
			r.NoVerdict = plural(len(out.Failures), "server configuration") + " failed"
		}
		return r, infraf("ab: %s failed: %s", plural(len(out.Failures), "server configuration"), strings.Join(out.Failures, "; "))
	case err != nil:
		return r, infraf("ab: %v", err)
	case r == nil:
		return nil, infraf("ab: nothing was measured")
	}
	return r, nil
}

// abFamilies returns, per run, the number of gated cells of its server
// configurations together: the family each look of the run adjusts over.
func abFamilies(plan runner.Plan, gates map[string]gate.Settings) map[string]int {
	out := map[string]int{}
	for _, s := range plan.Servers {
		out[s.Run.Name] += len(s.Points) * len(gates[s.Run.Name].Metrics)
	}
	return out
}

// pairedServer is the gate's view of one server configuration's rounds.
func pairedServer(s sweep.ServerConfig, rounds []runner.ABRound, gates map[string]gate.Settings, family map[string]int) *gate.PairedServer {
	ps := &gate.PairedServer{Server: s.Server, Points: s.Points, Settings: gates[s.Run.Name], MaxRounds: s.Run.AB.Rounds,
		Remeasure: s.Run.AB.RemeasureSettled, Family: family[s.Run.Name]}
	for _, r := range rounds {
		ps.Rounds = append(ps.Rounds, gate.PairedRound{Baseline: r.Baseline, Candidate: r.Candidate})
	}
	return ps
}
