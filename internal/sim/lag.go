package sim

import (
	"fmt"
	"time"
)

// Lateness of released steps.
const (
	// minLateLag is the smallest lag that counts a step as late.
	minLateLag = 100 * time.Microsecond
	// lateFraction is the share of a step's wall duration by which its
	// tokens may leave after their due time before the step counts as
	// late.
	lateFraction = 0.25
	// lagWindowLen is the wall time over which late steps are counted
	// before deciding on a warning.
	lagWindowLen = time.Second
	// lagWarnShare is the share of late steps in a window that earns a
	// warning.
	lagWarnShare = 0.05
	// lagWarnMinLate is the fewest late steps in a window that earn a
	// warning, so that one stall of the machine does not.
	lagWarnMinLate = 10
	// lagWarnEvery is the shortest wall time between two warnings of one
	// replica.
	lagWarnEvery = 10 * time.Second
)

// isLate reports whether a step of wall duration stepWall whose tokens left
// lag after their due time was late: the loop did not keep up.
func isLate(lag, stepWall time.Duration) bool {
	return lag > max(minLateLag, time.Duration(lateFraction*float64(stepWall)))
}

// lagWindow counts a replica's late steps over windows of lagWindowLen and
// says when a window had enough of them to warn. It is pure: the caller
// passes the time.
type lagWindow struct {
	start    time.Time // zero before the first step of a window
	steps    int
	late     int
	worst    time.Duration
	lastWarn time.Time
}

// lagReport is a window that earned a warning.
type lagReport struct {
	steps, late int
	worst       time.Duration
	window      time.Duration
}

// add records a step released at now, lag after its due time. When the
// window it closes earned a warning, it returns the report and true.
func (w *lagWindow) add(now time.Time, lag time.Duration, late bool) (lagReport, bool) {
	if w.start.IsZero() {
		w.start = now
	}
	w.steps++
	if late {
		w.late++
	}
	w.worst = max(w.worst, lag)
	if now.Sub(w.start) < lagWindowLen {
		return lagReport{}, false
	}
	return w.flush(now)
}

// flush closes the current window (also when the engine goes idle before
// it is full) and reports whether it earned a warning.
func (w *lagWindow) flush(now time.Time) (lagReport, bool) {
	r := lagReport{steps: w.steps, late: w.late, worst: w.worst, window: now.Sub(w.start)}
	warn := w.late >= lagWarnMinLate && float64(w.late) >= lagWarnShare*float64(w.steps) &&
		(w.lastWarn.IsZero() || now.Sub(w.lastWarn) >= lagWarnEvery)
	if warn {
		w.lastWarn = now
	}
	w.start, w.steps, w.late, w.worst = time.Time{}, 0, 0, 0
	return r, warn
}

// lagWarning is the log line for a window that earned a warning.
func lagWarning(r lagReport, speedup float64) string {
	return fmt.Sprintf("engine loop fell behind wall time: %d of %d steps in the last %.1f s released their tokens late (worst by %.2f ms); "+
		"token timing at --sim-speedup %g is not faithful on this machine, lower --sim-speedup (see sim:late_steps_total on /metrics)",
		r.late, r.steps, r.window.Seconds(), float64(r.worst)/float64(time.Millisecond), speedup)
}
