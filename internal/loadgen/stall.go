package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// DefaultStallTimeout is how long a round may go without any stream
// receiving anything before it ends as stalled, when
// ClientOptions.StallTimeout is zero.
const DefaultStallTimeout = 60 * time.Second

// stallMarkEvery is how often one stream reports that it is alive: often
// enough for any stall timeout worth setting, rare enough that the shared
// counter costs nothing per chunk.
const stallMarkEvery = 10 * time.Millisecond

// ErrStalled is matched (errors.Is) by the error of a round that the stall
// watchdog ended.
var ErrStalled = errors.New("server stalled")

// StallError is the cause of a round that the stall watchdog ended: requests
// were in flight and none received anything for Timeout.
type StallError struct {
	// Timeout is the stall timeout that ran out.
	Timeout time.Duration
}

// Error says that the server stalled and for how long.
func (e *StallError) Error() string {
	return fmt.Sprintf("%v: no token for %s", ErrStalled, formatTimeout(e.Timeout))
}

// Is makes errors.Is(err, ErrStalled) true.
func (e *StallError) Is(target error) bool { return target == ErrStalled }

// formatTimeout writes whole seconds as "60s" and anything else as
// time.Duration does.
func formatTimeout(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// stallWatch notices when the requests in flight stop receiving anything.
// Time counts only while a request is in flight, so the gaps of a slow
// open-loop schedule are not stalls.
type stallWatch struct {
	origin   time.Time
	timeout  time.Duration
	lastNs   atomic.Int64 // a sign of life, in ns since origin
	inFlight atomic.Int64
}

// alive notes a sign of life at at.
func (w *stallWatch) alive(at time.Time) { w.lastNs.Store(int64(at.Sub(w.origin))) }

// begin notes a request sent at at; the first of a busy period restarts the
// clock.
func (w *stallWatch) begin(at time.Time) {
	if w.inFlight.Add(1) == 1 {
		w.alive(at)
	}
}

// end notes a request that finished.
func (w *stallWatch) end() { w.inFlight.Add(-1) }

// clock returns a clock for one stream that also reports, now and then,
// that the stream is alive.
func (w *stallWatch) clock() func() time.Time {
	var marked time.Time
	return func() time.Time {
		t := time.Now()
		if t.Sub(marked) >= stallMarkEvery {
			marked = t
			w.alive(t)
		}
		return t
	}
}

// run checks for a stall until ctx ends, and cancels the round with a
// StallError when it finds one.
func (w *stallWatch) run(ctx context.Context, cancel context.CancelCauseFunc) {
	every := min(max(w.timeout/20, time.Millisecond), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			quiet := now.Sub(w.origin) - time.Duration(w.lastNs.Load())
			if w.inFlight.Load() > 0 && quiet >= w.timeout {
				cancel(&StallError{Timeout: w.timeout})
				return
			}
		}
	}
}
