package sim

import (
	"testing"
	"time"
)

func TestIsLate(t *testing.T) {
	tests := []struct {
		lag, step time.Duration
		want      bool
	}{
		{0, 440 * time.Microsecond, false},
		{90 * time.Microsecond, 440 * time.Microsecond, false},
		{105 * time.Microsecond, 440 * time.Microsecond, false}, // a quarter step is 110 us
		{115 * time.Microsecond, 440 * time.Microsecond, true},
		{150 * time.Microsecond, 88 * time.Microsecond, true},
		{1500 * time.Microsecond, 8 * time.Millisecond, false},
		{2100 * time.Microsecond, 8 * time.Millisecond, true},
	}
	for _, tt := range tests {
		if got := isLate(tt.lag, tt.step); got != tt.want {
			t.Errorf("isLate(%v, %v) = %v, want %v", tt.lag, tt.step, got, tt.want)
		}
	}
}

// TestLagWindowWarns feeds windows of steps 0.5 ms apart with different
// shares of late steps: a window warns when at least lagWarnMinLate and
// lagWarnShare of its steps were late, at most once per lagWarnEvery.
func TestLagWindowWarns(t *testing.T) {
	const step = 500 * time.Microsecond
	perWindow := int(lagWindowLen / step)
	tests := []struct {
		name      string
		lateEvery int // every n-th step is late; 0: none
		windows   int
		warnings  int
	}{
		{"on time", 0, 3, 0},
		{"one stall a window", perWindow, 3, 0},
		{"4 % late", 25, 3, 0},
		{"10 % late", 10, 3, 1},
		{"10 % late for 25 s", 10, 25, 3},
		{"all late", 1, 1, 1},
	}
	for _, tt := range tests {
		var w lagWindow
		now := time.Unix(1000, 0)
		warnings := 0
		var last lagReport
		for i := 1; i <= tt.windows*perWindow+1; i++ {
			now = now.Add(step)
			late := tt.lateEvery > 0 && i%tt.lateEvery == 0
			lag := 10 * time.Microsecond
			if late {
				lag = 2 * time.Millisecond
			}
			if r, ok := w.add(now, lag, late); ok {
				warnings++
				last = r
			}
		}
		if warnings != tt.warnings {
			t.Errorf("%s: %d warnings, want %d", tt.name, warnings, tt.warnings)
		}
		if warnings > 0 && (last.worst != 2*time.Millisecond || last.late == 0 || last.steps < perWindow) {
			t.Errorf("%s: report %+v", tt.name, last)
		}
	}
}

// TestLagWindowFlushesWhenIdle checks that a short burst of late steps is
// reported when the engine goes idle before the window is full.
func TestLagWindowFlushesWhenIdle(t *testing.T) {
	var w lagWindow
	now := time.Unix(1000, 0)
	for i := 0; i < 40; i++ {
		now = now.Add(time.Millisecond)
		if _, ok := w.add(now, 3*time.Millisecond, true); ok {
			t.Fatal("warned before the window was full")
		}
	}
	r, ok := w.flush(now)
	if !ok || r.late != 40 || r.steps != 40 || r.window != 39*time.Millisecond {
		t.Errorf("flush: %+v %v, want 40 of 40 late over 39 ms", r, ok)
	}
	if _, ok := w.flush(now.Add(time.Second)); ok {
		t.Error("an empty window must not warn")
	}
}

func TestLagWarningNamesTheFix(t *testing.T) {
	got := lagWarning(lagReport{steps: 2270, late: 37, worst: 3100 * time.Microsecond, window: time.Second}, 20)
	want := "engine loop fell behind wall time: 37 of 2270 steps in the last 1.0 s released their tokens late (worst by 3.10 ms); " +
		"token timing at --sim-speedup 20 is not faithful on this machine, lower --sim-speedup (see sim:late_steps_total on /metrics)"
	if got != want {
		t.Errorf("lagWarning:\n got %q\nwant %q", got, want)
	}
}
