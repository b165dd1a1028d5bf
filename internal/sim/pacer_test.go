package sim

import (
	"testing"
	"time"
)

// fakeClock drives a pacer without real time: timer sleeps end a tick
// late, as Go timers do on an idle Linux machine, precise sleeps end
// fineOver late, and a yield takes yieldStep.
type fakeClock struct {
	t          time.Time
	coarseOver time.Duration
	fineOver   time.Duration
	yieldStep  time.Duration
	stopAfter  int // coarse sleeps before coarse reports a stop; 0: never

	coarses, fines, yields int
}

func (c *fakeClock) pacer() *pacer {
	return &pacer{
		now: func() time.Time { return c.t },
		coarse: func(d time.Duration) bool {
			c.coarses++
			if c.stopAfter > 0 && c.coarses >= c.stopAfter {
				return false
			}
			c.t = c.t.Add(d + c.coarseOver)
			return true
		},
		fine: func(d time.Duration) {
			c.fines++
			c.t = c.t.Add(d + c.fineOver)
		},
		yield: func() {
			c.yields++
			c.t = c.t.Add(c.yieldStep)
		},
		overshoot: initialOvershoot,
	}
}

// TestPacerReleasesEachStepAtItsTime runs steps much shorter than a timer
// tick (0.44 ms: a decode step at --sim-speedup 20) back to back: every
// step must be released at or just after its own due time, never early and
// never together with the next one, and the yielding before each release
// must stay short once the pacer has learned how late precise sleeps end.
func TestPacerReleasesEachStepAtItsTime(t *testing.T) {
	for _, fineOver := range []time.Duration{0, 20 * time.Microsecond, 70 * time.Microsecond, 200 * time.Microsecond} {
		c := &fakeClock{t: time.Unix(1000, 0), coarseOver: time.Millisecond, fineOver: fineOver, yieldStep: time.Microsecond}
		p := c.pacer()
		start := c.t
		const step = 440 * time.Microsecond
		const steps = 2000
		var prev time.Time
		for i := 1; i <= steps; i++ {
			due := start.Add(time.Duration(i) * step)
			yieldsBefore := c.yields
			if !p.waitUntil(due) {
				t.Fatalf("fine overshoot %v: step %d: the pacer stopped", fineOver, i)
			}
			released := c.t
			if released.Before(due) {
				t.Fatalf("fine overshoot %v: step %d released %v early", fineOver, i, due.Sub(released))
			}
			if i > 1 && released.Sub(prev) <= 0 {
				t.Fatalf("fine overshoot %v: step %d released together with step %d", fineOver, i, i-1)
			}
			if i > 100 { // after learning
				if late := released.Sub(due); late > c.yieldStep {
					t.Fatalf("fine overshoot %v: step %d released %v late", fineOver, i, late)
				}
				if gap := released.Sub(prev); gap < step-c.yieldStep || gap > step+c.yieldStep {
					t.Fatalf("fine overshoot %v: step %d released %v after step %d, want %v", fineOver, i, gap, i-1, step)
				}
				if y := c.yields - yieldsBefore; time.Duration(y)*c.yieldStep > spinMargin+5*time.Microsecond {
					t.Fatalf("fine overshoot %v: step %d yielded for %v, want at most about %v", fineOver, i, time.Duration(y)*c.yieldStep, spinMargin)
				}
			}
			prev = released
		}
		if c.coarses != 0 {
			t.Errorf("fine overshoot %v: %d timer sleeps for waits shorter than %v", fineOver, c.coarses, coarseMargin)
		}
		if d := p.overshoot - fineOver; d < -3*time.Microsecond || d > 3*time.Microsecond {
			t.Errorf("learned overshoot %v, want about %v", p.overshoot, fineOver)
		}
	}
}

// TestPacerLongWaits checks that a far deadline is slept on the timer
// first and still released on time although the timer wakes a tick late.
func TestPacerLongWaits(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0), coarseOver: time.Millisecond, fineOver: 60 * time.Microsecond, yieldStep: time.Microsecond}
	p := c.pacer()
	due := c.t.Add(50 * time.Millisecond)
	if !p.waitUntil(due) {
		t.Fatal("the pacer stopped")
	}
	if c.t.Before(due) || c.t.Sub(due) > c.yieldStep {
		t.Errorf("released %v after the due time", c.t.Sub(due))
	}
	if c.coarses != 1 || c.fines == 0 {
		t.Errorf("%d timer and %d precise sleeps, want 1 timer sleep then precise ones", c.coarses, c.fines)
	}
}

func TestPacerLateAndStopped(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0), yieldStep: time.Microsecond}
	p := c.pacer()
	if !p.waitUntil(c.t.Add(-time.Millisecond)) || c.coarses+c.fines+c.yields != 0 {
		t.Errorf("a past due time must release at once without waiting (%d/%d/%d waits)", c.coarses, c.fines, c.yields)
	}
	c.stopAfter = 1
	if p.waitUntil(c.t.Add(time.Second)) {
		t.Error("a stop reported by the timer sleep must end the wait with false")
	}
}

// TestPacerOvershootIsBounded checks that one long stall of the machine
// moves the learned overshoot by a bounded step.
func TestPacerOvershootIsBounded(t *testing.T) {
	p := &pacer{overshoot: initialOvershoot}
	p.learn(5 * time.Second)
	if want := initialOvershoot + time.Duration(overshootWeight*float64(maxOvershoot-initialOvershoot)); p.overshoot != want {
		t.Errorf("after a 5 s stall the overshoot is %v, want %v", p.overshoot, want)
	}
	for i := 0; i < 200; i++ {
		p.learn(-time.Millisecond)
	}
	if p.overshoot < 0 || p.overshoot > time.Microsecond {
		t.Errorf("after early wake-ups the overshoot is %v, want about 0", p.overshoot)
	}
}
