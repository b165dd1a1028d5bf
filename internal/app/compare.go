package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
)

// Report formats of compare.
const (
	formatMarkdown = "markdown"
	formatText     = "text"
	formatJSON     = "json"
)

// renderReport renders a report in one of the formats.
func renderReport(r *report.Report, format string) ([]byte, error) {
	switch format {
	case formatMarkdown:
		return []byte(r.Markdown()), nil
	case formatText:
		return []byte(r.Text()), nil
	case formatJSON:
		js, err := r.JSON()
		if err != nil {
			return nil, err
		}
		return append(js, '\n'), nil
	}
	return nil, fmt.Errorf("--format: must be markdown, text or json, got %q", format)
}

// addGateFlags registers --tolerance, --alpha and --metrics, which override
// every run's gate settings; the gate package judges their values.
func addGateFlags(fs *flag.FlagSet, ov *gate.Override) {
	fs.Func("tolerance", "smallest relative change that counts, e.g. 0.05 (overrides the config)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err == nil {
			err = gate.CheckTolerance(v)
		}
		if err != nil {
			return fmt.Errorf("must be a fraction in [0, 1), got %q", s)
		}
		ov.Tolerance = &v
		return nil
	})
	fs.Func("alpha", "false-discovery rate over the report, e.g. 0.05 (overrides the config)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err == nil {
			err = gate.CheckAlpha(v)
		}
		if err != nil {
			return fmt.Errorf("must be in (0, 1), got %q", s)
		}
		ov.Alpha = &v
		return nil
	})
	fs.Func("metrics", "comma-separated gated metrics (overrides the config); valid: "+strings.Join(gate.MetricNames(), ", "), func(s string) error {
		var names []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		if err := gate.CheckMetrics(names); err != nil {
			return err
		}
		ov.Metrics = names
		return nil
	})
}

// cmdCompare is `vllm-bench compare`: it gates a results directory against
// the baselines and prints the report. Exit 0: nothing regressed; 1: a
// regression or failed requests; 2: unreadable input or bad flags; 3: a
// point missing or not measured because its server failed.
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "compare", "--results DIR --baselines DIR [-c CONFIG] [--format markdown|text|json] [--out FILE] [--tolerance F] [--alpha F] [--metrics a,b,c]")
	resultsDir := fs.String("results", "", "directory of result files to judge")
	baselinesDir := fs.String("baselines", "baselines", "directory of stored baselines")
	cfgPath := fs.String("c", "", "config file whose runs' gate settings apply")
	format := fs.String("format", formatText, "report format: markdown, text or json")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	var ov gate.Override
	addGateFlags(fs, &ov)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *resultsDir == "" {
		return invalidf("compare: --results DIR is required")
	}
	if _, err := renderReport(report.New(&gate.Report{}), *format); err != nil {
		return invalidf("compare: %v", err)
	}
	var cfg *config.Config
	if *cfgPath != "" {
		var err error
		if cfg, err = loadConfig(*cfgPath); err != nil {
			return err
		}
	}
	if msg := gate.MissingBaselines(*baselinesDir); msg != "" {
		fmt.Fprintln(env.Stderr, "vllm-bench: warning: "+msg)
	}
	reports, err := gate.CompareDirs([]string{*resultsDir}, *baselinesDir, cfg, ov)
	if err != nil {
		return compareError(err)
	}
	r := report.New(reports[0])
	data, err := renderReport(r, *format)
	if err != nil {
		return invalidf("compare: %v", err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			return invalidf("compare: --out: write %q: %v", *out, err)
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: compare: %s; report written to %s\n", r.Verdict(), *out)
	} else if _, err := env.Stdout.Write(data); err != nil {
		return infraf("compare: write report: %v", err)
	}
	return gateExit(gate.Combine(reports, nil))
}

// compareError is the exit of a comparison that could not be made: exit 3
// when the results directory holds nothing to judge (the benchmark did not
// run), else 2 (unreadable input).
func compareError(err error) error {
	if errors.Is(err, baseline.ErrNoResults) {
		return infraf("compare: %v", err)
	}
	return invalidf("compare: %v", err)
}

// gateExit is the exit of a gate: 3 when it gives no verdict (an
// interrupted or failed sweep), planned points are missing or a point's
// server failed (named on stderr), 2 when no point is comparable with its
// baseline, 1 on a regression or failed requests, else 0.
func gateExit(o gate.Overall) error {
	switch {
	case o.Verdict == gate.VerdictError:
		return quietExit(ExitInfra)
	case o.NothingComparable():
		return invalidf("no point is comparable with its baseline: every one was measured with other settings (see the report's not-comparable notes); " +
			"measure with this config on the baseline's build and run `vllm-bench baseline update --results DIR --baselines DIR` to refresh the baselines")
	case len(o.Missing) > 0:
		return infraf("%s not measured: %s", plural(len(o.Missing), "planned point"), strings.Join(o.Missing, ", "))
	case len(o.Unmeasured) > 0:
		return infraf("%s could not be measured (the server failed): %s", plural(len(o.Unmeasured), "point"), strings.Join(o.Unmeasured, ", "))
	case !o.OK():
		return quietExit(ExitRegression)
	}
	return nil
}
