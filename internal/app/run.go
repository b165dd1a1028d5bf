package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// cmdRun is `vllm-bench run`: it runs the sweep, prints the table and, with
// --baselines, the gate. Exit 1: a regression, or a point with failed
// requests; 2: bad input, an output directory that cannot be written;
// 3: a server configuration failed (a measured point that could not be
// written included), summary.json could not be written, or the sweep was
// interrupted.
func cmdRun(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "run", "-c CONFIG [--out DIR] [--engine sim] [--shard i/n] [--run NAME] [--resume] [--baselines DIR]")
	var opts sweepOptions
	addSweepFlags(fs, &opts, "run", "", "write results here instead of each run's bench.output_dir")
	resume := fs.Bool("resume", false, "skip points whose result file is already complete")
	baselines := fs.String("baselines", "", "after the sweep, compare the results with the baselines in this directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *baselines != "" {
		if info, err := os.Stat(*baselines); err == nil && !info.IsDir() {
			return invalidf("--baselines: %q is not a directory", *baselines)
		}
	}
	plan, err := loadPlan(opts)
	if err != nil {
		return err
	}
	// The sizes and prompts only: plan and validate also hold the layouts
	// to the GPU count, which would ask nvidia-smi once more than the sweep
	// does.
	for _, w := range plan.Config.Warnings(0) {
		printWarnings(env, []string{w.Error()})
	}
	out, err := runSweep(ctx, env, plan, runnerOptions(env, plan.Config, *baselines, *resume, newLines(env.Stderr)))
	if err != nil {
		return err
	}
	var gateErr error
	if *baselines != "" {
		noVerdict := ""
		if len(out.Failures) > 0 {
			noVerdict = plural(len(out.Failures), "server configuration") + " failed"
		}
		gateErr = compareAfterRun(env, plan, *baselines, noVerdict)
	}
	for _, dir := range plan.OutputDirs() {
		if slices.Contains(out.Unindexed, dir) {
			fmt.Fprintf(env.Stderr, "vllm-bench: results in %s; no index written (%s could not be written, see above)\n", filepath.Clean(dir), results.SummaryName)
			continue
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: results in %s, index in %s\n", filepath.Clean(dir), filepath.Join(dir, results.SummaryName))
	}
	if line := costLine(out.Accounts); line != "" {
		fmt.Fprintf(env.Stderr, "vllm-bench: %s\n", line)
	}
	switch {
	case len(out.Failures) > 0 || len(out.Unindexed) > 0:
		return quietExit(ExitInfra)
	case gateErr != nil:
		return gateErr
	case len(out.FailedRequests) > 0:
		return quietExit(ExitRegression)
	}
	return nil
}

// runSweep checks that the plan's output directories are writable, runs
// the plan, prints its table on stdout and its failures on stderr. The
// error is exit 2 for an output directory that cannot be written (before
// any server starts) and exit 3 when the sweep was interrupted; failed
// configurations and points are in the outcome.
func runSweep(ctx context.Context, env *Env, plan runner.Plan, opts runner.Options) (runner.Outcome, error) {
	if err := runner.CheckOutputDirs(plan); err != nil {
		return runner.Outcome{}, invalidf("%v", err)
	}
	out, err := runner.Run(ctx, plan, opts)
	if err != nil {
		fmt.Fprintf(env.Stderr, "vllm-bench: %v\n", err)
	}
	printRunTable(env.Stdout, out.Rows)
	if out.Interrupted {
		return out, infraf("interrupted; finished result files are kept, run again with --resume to finish")
	}
	if len(out.Failures) > 0 {
		fmt.Fprintf(env.Stderr, "\nvllm-bench: %s failed:\n", plural(len(out.Failures), "server configuration"))
		for _, f := range out.Failures {
			fmt.Fprintf(env.Stderr, "  - %s\n", f)
		}
	}
	if len(out.FailedRequests) > 0 {
		fmt.Fprintf(env.Stderr, "\nvllm-bench: %s had failed requests:\n", plural(len(out.FailedRequests), "point"))
		for _, f := range out.FailedRequests {
			fmt.Fprintf(env.Stderr, "  - %s\n", f)
		}
	}
	return out, nil
}

// compareAfterRun prints the comparison of a sweep's results with the
// baselines as text; the error carries the gate's exit code. noVerdict,
// when not empty, says why the sweep gives no verdict (a failed server
// configuration): the reports then say so instead of a headline.
func compareAfterRun(env *Env, plan runner.Plan, baselines, noVerdict string) error {
	if msg := gate.MissingBaselines(baselines); msg != "" {
		fmt.Fprintln(env.Stderr, "vllm-bench: warning: "+msg)
	}
	reports, err := gate.CompareDirs(plan.OutputDirs(), baselines, plan.Config, gate.Override{})
	if err != nil {
		return compareError(err)
	}
	for _, r := range reports {
		r.NoVerdict = noVerdict
		fmt.Fprintln(env.Stdout)
		fmt.Fprint(env.Stdout, report.New(r).Text())
	}
	return gateExit(gate.Combine(reports, nil))
}

// printRunTable prints one row per point: latencies in milliseconds,
// throughputs per second, and the failed request count.
func printRunTable(w io.Writer, rows []runner.Row) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "server\tpoint\tTTFT p50\tTTFT p99\tTPOT p50\tITL p50\tE2EL p50\tout tok/s\treq/s\tfailed\t")
	for _, r := range rows {
		f, s := r.File, r.Server
		figures := "\t\t\t\t\t\t\t" // nothing was measured: blanks, not zeros
		if f.Completed > 0 {
			figures = fmt.Sprintf("%.1f\t%.1f\t%.2f\t%.2f\t%.0f\t%.0f\t%.2f\t",
				f.MedianTTFTMs, f.P99TTFTMs, f.MedianTPOTMs, f.MedianITLMs, f.MedianE2ELMs, f.OutputThroughput, f.RequestThroughput)
		}
		line := fmt.Sprintf("%s TP%d DP%d PP%d\t%s\t%s%d\t", s.Run.Name, s.TP, s.DP, s.PP, r.Point.Label(), figures, f.Failed)
		note := r.Note
		if es := f.VllmBench.EarlyStop; note == "" && es != nil && es.Stopped(r.Point.NumPrompts) {
			sent := 0
			for _, n := range es.Sent {
				sent += n
			}
			note = fmt.Sprintf("settled: %d of %d sent", sent, r.Point.NumPrompts*len(es.Sent))
		}
		if note != "" {
			line += " " + note // after the aligned columns, apart from the count
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	fmt.Fprintln(w, "(latencies in ms)")
	for _, line := range suspectWarnings(rows) {
		fmt.Fprintln(w, "warning: "+line)
	}
}

// suspectWarnings returns one line per reason a point's measurement is
// suspect (results.File.Suspicions): a saturated client, a busy host, a
// simulator that fell behind, another process on its GPUs.
func suspectWarnings(rows []runner.Row) []string {
	var out []string
	for _, r := range rows {
		s := r.Server
		for _, line := range suspicionLines(r.File) {
			out = append(out, fmt.Sprintf("%s TP%d DP%d PP%d %s: %s", s.Run.Name, s.TP, s.DP, s.PP, r.Point.Label(), line))
		}
	}
	return out
}

// suspicionLines words each suspicion of f for a warning: the client's own
// warning as it is, the others as "suspect (source): reason".
func suspicionLines(f *results.File) []string {
	var out []string
	for _, s := range f.Suspicions() {
		if s.Source == "client" {
			out = append(out, f.VllmBench.Client.Warning())
			continue
		}
		out = append(out, fmt.Sprintf("suspect (%s): %s", s.Source, s.Reason))
	}
	return out
}
