package sim

import "time"

// Tuning of the pacer.
const (
	// coarseMargin is how far before a deadline the pacer stops sleeping on
	// Go timers: on an idle Linux machine they wake up to a millisecond
	// late, longer than a step at --sim-speedup 10 and above.
	coarseMargin = 2 * time.Millisecond
	// spinMargin is the part of a wait that is yielded away instead of
	// slept, so that a precise sleep that ends a little late still ends
	// before the deadline.
	spinMargin = 30 * time.Microsecond
	// initialOvershoot is the first guess of how late a precise sleep ends
	// (Linux's default timer slack is 50 us).
	initialOvershoot = 60 * time.Microsecond
	// maxOvershoot bounds the learned overshoot, so that one long stall of
	// the machine does not turn every later wait into a spin.
	maxOvershoot = 300 * time.Microsecond
	// overshootWeight is the weight of the newest sample in the learned
	// overshoot (an exponential moving average).
	overshootWeight = 0.125
)

// pacer holds a replica's loop until the wall time at which a step's
// tokens are due, with sub-millisecond precision and never early. A far
// deadline is slept on a Go timer (cancellable) up to coarseMargin before
// it; the rest in a precise sleep that ends a learned overshoot plus
// spinMargin early; the last microseconds are yielded away. Each step is
// released at its own time: steps shorter than a timer tick are not folded
// together.
//
// The clock and the three ways of waiting are fields so that tests can
// drive the pacer with a fake clock.
type pacer struct {
	now    func() time.Time
	coarse func(d time.Duration) bool // timer sleep; false when the loop must stop
	fine   func(d time.Duration)      // precise sleep of at most coarseMargin
	yield  func()                     // give up the processor briefly

	overshoot time.Duration // learned lateness of fine sleeps
}

// newPacer returns a pacer on the real clock; coarse is the loop's
// cancellable timer sleep.
func newPacer(coarse func(d time.Duration) bool) *pacer {
	return &pacer{now: time.Now, coarse: coarse, fine: preciseSleep, yield: yieldProcessor, overshoot: initialOvershoot}
}

// waitUntil returns once the wall time reaches due; false when coarse said
// the loop must stop.
func (p *pacer) waitUntil(due time.Time) bool {
	yielded := false // since the last fine sleep
	for {
		wait := due.Sub(p.now())
		switch {
		case wait <= 0:
			return true
		case wait > coarseMargin:
			if !p.coarse(wait - coarseMargin) {
				return false
			}
		case wait > p.overshoot+spinMargin && !yielded:
			// Goroutines this loop just woke (the handlers of the last
			// step's tokens) wait in this processor's run queue; let them
			// run before the thread blocks in a precise sleep.
			yielded = true
			p.yield()
		case wait > p.overshoot+spinMargin:
			yielded = false
			want := wait - p.overshoot - spinMargin
			start := p.now()
			p.fine(want)
			p.learn(p.now().Sub(start) - want)
		default:
			for p.now().Before(due) {
				p.yield()
			}
			return true
		}
	}
}

// learn folds one observed overshoot of a fine sleep into the estimate.
func (p *pacer) learn(over time.Duration) {
	over = min(max(over, 0), maxOvershoot)
	p.overshoot += time.Duration(overshootWeight * float64(over-p.overshoot))
}
