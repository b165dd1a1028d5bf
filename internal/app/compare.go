package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/report"
)

// Report formats of compare.
const (
	formatMarkdown = "markdown"
	formatText     = "text"
	formatJSON     = "json"
)

// gateOverride holds command-line overrides of the config's gate settings;
// nil fields keep the config's values.
type gateOverride struct {
	metrics   []string
	tolerance *float64
	alpha     *float64
}

// apply returns g with the overrides applied.
func (o gateOverride) apply(g config.Gate) config.Gate {
	if o.metrics != nil {
		g.Metrics = slices.Clone(o.metrics)
	}
	if o.tolerance != nil {
		g.Tolerance = *o.tolerance
	}
	if o.alpha != nil {
		g.Alpha = *o.alpha
	}
	return g
}

// gatesOf returns the gate settings of every run of a config (nil config:
// none, so every run takes the defaults).
func gatesOf(cfg *config.Config) map[string]config.Gate {
	gates := map[string]config.Gate{}
	if cfg == nil {
		return gates
	}
	for _, r := range cfg.Runs {
		gates[r.Name] = r.Gate
	}
	return gates
}

// compareDirs compares the results in resultsDir with the baselines in
// baselinesDir, gating each run with its settings from gates (runs not in
// gates take the defaults) after the overrides. It is the one comparison
// that compare, run and the action share. An error means unreadable input
// (a corrupt result or baseline file, named in the message).
func compareDirs(resultsDir, baselinesDir string, gates map[string]config.Gate, ov gateOverride) (*report.Report, error) {
	pairs, err := baseline.Load(resultsDir, baselinesDir)
	if err != nil {
		return nil, err
	}
	opts := report.Options{Gates: map[string]config.Gate{}, Default: ov.apply(config.Gate{
		Metrics:   slices.Clone(config.DefaultGateMetrics),
		Tolerance: config.DefaultTolerance,
		Alpha:     config.DefaultAlpha,
	})}
	for run, g := range gates {
		opts.Gates[run] = ov.apply(g)
	}
	return report.Compare(pairs, opts), nil
}

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

// cmdCompare is `vllm-bench compare`: it gates a results directory against
// the baselines and prints the report. Exit 0: nothing regressed; 1: a
// regression or a failed point; 2: unreadable input or bad flags.
func cmdCompare(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "compare", "--results DIR --baselines DIR [-c CONFIG] [--format markdown|text|json] [--out FILE] [--tolerance F] [--alpha F] [--metrics a,b,c]")
	resultsDir := fs.String("results", "", "directory of result files to judge")
	baselinesDir := fs.String("baselines", "baselines", "directory of stored baselines")
	cfgPath := fs.String("c", "", "config file whose runs' gate settings apply")
	format := fs.String("format", formatText, "report format: markdown, text or json")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	var ov gateOverride
	fs.Func("tolerance", "smallest relative change that counts, e.g. 0.05 (overrides the config)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v >= 1 {
			return fmt.Errorf("must be a fraction in [0, 1), got %q", s)
		}
		ov.tolerance = &v
		return nil
	})
	fs.Func("alpha", "false-discovery rate over the report, e.g. 0.05 (overrides the config)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 || v >= 1 {
			return fmt.Errorf("must be in (0, 1), got %q", s)
		}
		ov.alpha = &v
		return nil
	})
	fs.Func("metrics", "comma-separated gated metrics (overrides the config); valid: "+strings.Join(report.MetricNames(), ", "), func(s string) error {
		var names []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return fmt.Errorf("must name at least one metric")
		}
		if err := report.CheckMetrics(names); err != nil {
			return err
		}
		ov.metrics = names
		return nil
	})
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *resultsDir == "" {
		return errorf(env, ExitInvalid, "compare: --results DIR is required")
	}
	if fs.NArg() > 0 {
		return errorf(env, ExitInvalid, "compare: unexpected argument %q", fs.Arg(0))
	}
	if _, err := renderReport(&report.Report{}, *format); err != nil {
		return errorf(env, ExitInvalid, "compare: %v", err)
	}
	var gates map[string]config.Gate
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
			return ExitInvalid
		}
		gates = gatesOf(cfg)
	}
	if msg := missingBaselines(*baselinesDir); msg != "" {
		fmt.Fprintln(env.Stderr, "vllm-bench: warning: "+msg)
	}
	r, err := compareDirs(*resultsDir, *baselinesDir, gates, ov)
	if err != nil {
		return errorf(env, ExitInvalid, "compare: %v", err)
	}
	data, err := renderReport(r, *format)
	if err != nil {
		return errorf(env, ExitInvalid, "compare: %v", err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			return errorf(env, ExitInvalid, "compare: --out: write %q: %v", *out, err)
		}
		fmt.Fprintf(env.Stderr, "vllm-bench: compare: %s; report written to %s\n", r.Verdict(), *out)
	} else if _, err := env.Stdout.Write(data); err != nil {
		return errorf(env, ExitInfra, "compare: write report: %v", err)
	}
	if !r.OK() {
		return ExitRegression
	}
	return ExitOK
}
