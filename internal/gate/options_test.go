package gate

import (
	"errors"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

const validRun = `runs:
  - name: ok
    engine: sim
    serve:
      model_path: m
      tp_dp_pairs: [{tp: 1, dp: 1}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`

func TestCheckConfig(t *testing.T) {
	tests := []struct{ name, gate, want string }{
		{"unknown metric", "    gate:\n      metrics: [median_ttft_ms, speed]\n", `c.yaml:13: runs[0].gate.metrics[1]: unknown metric "speed"`},
		{"misspelt startup metric", "    gate:\n      metrics: [startup_second]\n", `c.yaml:13: runs[0].gate.metrics[0]: unknown metric "startup_second" (valid: median_ttft_ms,`},
		{"empty metrics", "    gate:\n      metrics: []\n", "c.yaml:13: runs[0].gate.metrics: must list at least one metric"},
		{"alpha out of range", "    gate:\n      alpha: 1.5\n", "c.yaml:13: runs[0].gate.alpha: must be in (0, 1), got 1.5"},
		{"tolerance out of range", "    gate:\n      tolerance: 1\n", "c.yaml:13: runs[0].gate.tolerance: must be in [0, 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte(validRun+tt.gate), CheckConfig)
			var errs *config.Errors
			if !errors.As(err, &errs) || len(errs.List) != 1 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want one problem containing %q", err, tt.want)
			}
		})
	}
}

func TestStartupSecondsIsAGatedMetric(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(validRun+"    gate:\n      metrics: [output_throughput, startup_seconds]\n      prior_cv: {startup_seconds: 0.02}\n"), CheckConfig)
	if err != nil {
		t.Fatalf("startup_seconds refused: %v", err)
	}
	if s := Resolve(cfg.Runs[0].Gate); s.PriorCV[StartupSeconds] != 0.02 || s.Metrics[1] != StartupSeconds {
		t.Errorf("resolved to %+v", s)
	}
	if err := CheckMetrics([]string{"startup"}); err == nil || !strings.Contains(err.Error(), "startup_seconds") {
		t.Errorf("CheckMetrics(startup) = %v, want the valid names, startup_seconds among them", err)
	}
	m, _ := LookupMetric(StartupSeconds)
	if !m.LowerIsBetter || m.PerPoint() || m.Unit != "s" || MetricTitle(StartupSeconds) != "startup" {
		t.Errorf("startup_seconds = %+v titled %q", m, MetricTitle(StartupSeconds))
	}
}

func TestResolve(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(validRun+"    gate:\n      tolerance: 0\n"), CheckConfig)
	if err != nil {
		t.Fatal(err)
	}
	s := Resolve(cfg.Runs[0].Gate)
	if s.Tolerance != 0 || s.Alpha != DefaultAlpha || strings.Join(s.Metrics, ",") != strings.Join(DefaultMetrics(), ",") {
		t.Errorf("an explicit tolerance 0 with the rest left out resolved to %+v", s)
	}
	tol := 0.2
	if got := (Override{Tolerance: &tol}).Apply(s); got.Tolerance != 0.2 || got.Alpha != DefaultAlpha {
		t.Errorf("override gave %+v", got)
	}
}

func TestPriorCVConfig(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(validRun+"    gate:\n      prior_cv: {median_tpot_ms: 0.01}\n"), CheckConfig)
	if err != nil {
		t.Fatal(err)
	}
	s := Resolve(cfg.Runs[0].Gate)
	if s.PriorCV["median_tpot_ms"] != 0.01 || s.PriorCV["median_ttft_ms"] != PriorCVTTFT || s.NoHistoryAllowance("median_tpot_ms") != DefaultTolerance {
		t.Errorf("prior CVs %v, allowance %v", s.PriorCV, s.NoHistoryAllowance("median_tpot_ms"))
	}
	for _, bad := range []string{"{speed: 0.1}", "{median_tpot_ms: 1.5}"} {
		_, err := config.Parse("c.yaml", []byte(validRun+"    gate:\n      prior_cv: "+bad+"\n"), CheckConfig)
		if err == nil || !strings.Contains(err.Error(), "runs[0].gate.prior_cv.") {
			t.Errorf("prior_cv %s: error %v", bad, err)
		}
	}
}
