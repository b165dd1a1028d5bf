package sim

import (
	"math"
	"testing"
	"time"
)

func TestDriftFactor(t *testing.T) {
	tests := []struct {
		name        string
		simS, drift float64
		want        float64
	}{
		{"no drift at start", 0, 1.05, 1},
		{"no drift flag", 7200, 1, 1},
		{"zero means none", 7200, 0, 1},
		{"full factor after an hour", 3600, 1.05, 1.05},
		{"half after half an hour", 1800, 1.05, 1.025},
		{"keeps the slope after an hour", 7200, 1.05, 1.10},
		{"toward faster", 3600, 0.9, 0.9},
		{"toward faster, half", 1800, 0.9, 0.95},
		{"never at or below zero", 100 * 3600, 0.9, minDriftFactor},
		{"strong drift", 360, 3, 1.2},
	}
	for _, tt := range tests {
		if got := driftFactor(tt.simS, tt.drift); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: driftFactor(%g, %g) = %.6f, want %.6f", tt.name, tt.simS, tt.drift, got, tt.want)
		}
	}
}

// TestDriftSlowsLaterSteps checks that the engine applies the drift at
// each step's simulated start time, on top of the per-process scale.
func TestDriftSlowsLaterSteps(t *testing.T) {
	cfg, _ := testConfig(nil)
	cfg.scale = 1.02
	cfg.drift = 1.05
	stepAt := func(startS float64) float64 {
		e := newEngine(cfg, nil)
		e.add(&sequence{promptTokens: 512, maxTokens: 4, stopAfter: 4})
		return e.step(startS).durationS
	}
	base := cfg.model.stepS(stepLoad{tokens: 512, contextTokens: 512}) * 1.02
	for _, tt := range []struct{ startS, want float64 }{{0, 1}, {1800, 1.025}, {3600, 1.05}, {7200, 1.10}} {
		if got := stepAt(tt.startS) / base; math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("step at %g s is %.4fx the undrifted step, want %.4fx", tt.startS, got, tt.want)
		}
	}
}

// TestDriftGoesOnAcrossStarts checks that two servers started 6 minutes of
// wall time apart with one epoch, at speedup 10, continue one drift: the
// second starts an hour of simulated time further, its first step as slow
// as the first server's step an hour in.
func TestDriftGoesOnAcrossStarts(t *testing.T) {
	epoch := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := clock{base: epoch.Add(30 * time.Second), speedup: 10}
	second := clock{base: first.base.Add(6 * time.Minute), speedup: 10}
	if got := driftOffsetS(first, &epoch); got != 300 {
		t.Errorf("first start: offset %g s, want 300 (30 s of wall time at speedup 10)", got)
	}
	if got := driftOffsetS(second, &epoch); got != 3900 {
		t.Errorf("second start: offset %g s, want 3900", got)
	}
	if got := driftOffsetS(second, nil); got != 0 {
		t.Errorf("without an epoch: offset %g s, want 0 (the drift starts with the process)", got)
	}

	cfg, _ := testConfig(nil)
	cfg.drift = 1.05
	stepAt := func(offsetS, startS float64) float64 {
		c := cfg
		c.driftOffsetS = offsetS
		e := newEngine(c, nil)
		e.add(&sequence{promptTokens: 512, maxTokens: 4, stopAfter: 4})
		return e.step(startS).durationS
	}
	if a, b := stepAt(0, 3600), stepAt(driftOffsetS(second, &epoch)-driftOffsetS(first, &epoch), 0); math.Abs(a/b-1) > 1e-9 {
		t.Errorf("the second start's first step takes %g s, want %g s (the first start's an hour in)", b, a)
	}
}
