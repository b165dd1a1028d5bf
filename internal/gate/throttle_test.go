package gate

import (
	"errors"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// telemetry is one GPU's block: its SM clock median and the share of
// samples under a thermal throttle.
func telemetry(smMHz, thermalPct float64) *probe.GPUTelemetry {
	return &probe.GPUTelemetry{IntervalMs: 500, GPUs: []probe.GPUStats{{
		Index: 0, Name: gpu, Samples: 40,
		SMClockMHz:         &probe.Spread{Min: smMHz, Median: smMHz, Max: smMHz},
		ThermalThrottlePct: thermalPct, ThrottlePct: thermalPct,
	}}}
}

// serverBlock is a vLLM block with the given preemptions over 200 requests.
func serverBlock(preemptions float64) *probe.ServerMetrics {
	per := preemptions / 200
	return &probe.ServerMetrics{Source: "vllm", Rounds: 2, Scrapes: 8,
		Requests:    &probe.Counter{Delta: 200},
		Preemptions: &probe.Counter{Delta: preemptions, PerRequest: &per},
	}
}

// probedPairs are the golden sweep's unchanged, regressed and improved
// points with probe blocks: the regression ran on a thermally throttled GPU
// with preemptions, the baseline on a steady one.
func probedPairs() []baseline.Pair {
	ps := gatetest.GoldenPairs()[:3]
	for _, p := range ps {
		p.Baseline.VllmBench.GPUTelemetry, p.Baseline.VllmBench.ServerMetrics = telemetry(1980, 0), serverBlock(0)
		p.Current.File.VllmBench.GPUTelemetry, p.Current.File.VllmBench.ServerMetrics = telemetry(1980, 0), serverBlock(0)
	}
	ps[0].Current.File.VllmBench.ServerMetrics = serverBlock(30) // unchanged: no hints shown
	ps[1].Current.File.VllmBench.GPUTelemetry = telemetry(1410, 64)
	ps[1].Current.File.VllmBench.ServerMetrics = serverBlock(41)
	ps[2].Current.File.VllmBench.ServerMetrics = serverBlock(0)
	ps[2].Baseline.VllmBench.ServerMetrics = serverBlock(12)
	return ps
}

func TestCompareThrottledRegression(t *testing.T) {
	const reason = "GPU 0 throttled (thermal) 64 % of the point, SM clock median 1,410 vs 1,980 MHz"
	for _, tc := range []struct {
		onThrottle  string
		waived      bool
		regressions int
		verdict     string
	}{
		{"", true, 0, VerdictPass}, // warn is the default
		{OnThrottleWarn, true, 0, VerdictPass},
		{OnThrottleFail, false, 1, VerdictRegression},
	} {
		t.Run("on_throttle="+tc.onThrottle, func(t *testing.T) {
			s := Defaults()
			s.OnThrottle = tc.onThrottle
			r := Compare(probedPairs(), Options{Seed: 1, Default: &s})
			rows := r.Rows()
			// The first point has no history: not a change, not shown
			// to be none either.
			undecided, regressed, improved := rows[0], rows[1], rows[2]
			if regressed.Verdict != stats.Regression || improved.Verdict != stats.Improvement || undecided.Verdict != stats.Undecided {
				t.Fatalf("verdicts %s %s %s, want undecided, regression, improvement", undecided.Verdict, regressed.Verdict, improved.Verdict)
			}
			if regressed.Throttled != reason || regressed.ThrottleWaived != tc.waived {
				t.Errorf("regressed row: throttled %q waived %v, want %q %v", regressed.Throttled, regressed.ThrottleWaived, reason, tc.waived)
			}
			if got := strings.Join(regressed.Hints, ", "); got != reason+", preemptions 0 -> 41" {
				t.Errorf("regressed row's hints %q", got)
			}
			if got := strings.Join(improved.Hints, ", "); got != "preemptions 12 -> 0" || improved.Throttled != "" {
				t.Errorf("improved row: hints %q throttled %q, want the preemptions it lost", got, improved.Throttled)
			}
			if undecided.Hints != nil || undecided.Throttled != "" {
				t.Errorf("unchanged row: hints %q throttled %q, want none", undecided.Hints, undecided.Throttled)
			}
			if r.Regressions() != tc.regressions || r.Waived() != 1-tc.regressions || r.Verdict() != tc.verdict {
				t.Errorf("regressions %d waived %d verdict %s, want %d, %d, %s", r.Regressions(), r.Waived(), r.Verdict(), tc.regressions, 1-tc.regressions, tc.verdict)
			}
		})
	}
}

// TestCompareWithoutProbes: files written before the blocks existed, or
// without the sources, give no hints and no suspect points.
func TestCompareWithoutProbes(t *testing.T) {
	r := Compare(gatetest.GoldenPairs(), Options{Seed: 1})
	for _, row := range r.Rows() {
		if row.Hints != nil || row.Throttled != "" || row.ThrottleWaived {
			t.Errorf("%s: hints %q throttled %q waived %v, want none", row.Name, row.Hints, row.Throttled, row.ThrottleWaived)
		}
	}
	if r.Waived() != 0 || r.Regressions() != 1 {
		t.Errorf("regressions %d waived %d, want 1 and 0", r.Regressions(), r.Waived())
	}
}

func TestOnThrottleConfig(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(validRun+"    gate:\n      on_throttle: fail\n"), CheckConfig)
	if err != nil {
		t.Fatal(err)
	}
	if s := Resolve(cfg.Runs[0].Gate); s.OnThrottle != OnThrottleFail {
		t.Errorf("on_throttle: fail resolved to %q", s.OnThrottle)
	}
	if s := Resolve(config.Gate{}); s.OnThrottle != OnThrottleWarn {
		t.Errorf("on_throttle left out resolved to %q, want warn", s.OnThrottle)
	}
	_, err = config.Parse("c.yaml", []byte(validRun+"    gate:\n      on_throttle: ignore\n"), CheckConfig)
	var errs *config.Errors
	want := `c.yaml:13: runs[0].gate.on_throttle: must be fail or warn, got "ignore"`
	if !errors.As(err, &errs) || len(errs.List) != 1 || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}
