package sim

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// maxLag is how far behind wall time the loop may fall before its simulated
// clock is moved up to wall time: a loop that cannot keep up stays correct
// and gets late, but the lag does not grow without bound.
const maxLag = 20 * time.Millisecond

// replica runs one data-parallel engine in real time: it steps the engine,
// waits until wall time reaches the end of the step, then publishes the
// step's tokens and records the step in its metrics.
type replica struct {
	eng  *engine
	clk  clock
	met  *engineMetrics
	warn func(msg string) // logs a warning line
	lag  lagWindow        // owned by the loop

	mu    sync.Mutex
	inbox []*sequence
	wake  chan struct{}

	size atomic.Int64 // sequences submitted and not finished, for routing
}

func newReplica(eng *engine, clk clock, warn func(msg string)) *replica {
	return &replica{eng: eng, clk: clk, met: newEngineMetrics(), warn: warn, wake: make(chan struct{}, 1)}
}

// submit hands sequences to the replica's loop.
func (r *replica) submit(seqs ...*sequence) {
	r.size.Add(int64(len(seqs)))
	r.mu.Lock()
	r.inbox = append(r.inbox, seqs...)
	r.mu.Unlock()
	r.met.mu.Lock()
	r.met.st.waiting += len(seqs)
	r.met.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// drain moves submitted sequences into the engine and returns the latest
// arrival among them (0 when there were none).
func (r *replica) drain() (lastArrivalS float64) {
	r.mu.Lock()
	in := r.inbox
	r.inbox = nil
	r.mu.Unlock()
	for _, s := range in {
		r.eng.add(s)
		lastArrivalS = max(lastArrivalS, s.arrivalS)
	}
	return lastArrivalS
}

// run is the replica's loop; it returns when ctx is done. Once hung is
// closed it stops stepping (and publishing) until ctx is done.
func (r *replica) run(ctx context.Context, hung <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	pace := newPacer(func(d time.Duration) bool {
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return false
		case <-hung:
			return false
		case <-timer.C:
			return true
		}
	})
	simNow := r.clk.simNow()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hung:
			<-ctx.Done()
			return
		default:
		}
		// A step never starts before a request it may schedule arrived;
		// that happens only when the loop runs behind wall time.
		simNow = max(simNow, r.drain())
		if r.eng.idle() {
			if rep, ok := r.lag.flush(time.Now()); ok {
				r.warn(lagWarning(rep, r.clk.speedup))
			}
			select {
			case <-ctx.Done():
				return
			case <-hung:
				<-ctx.Done()
				return
			case <-r.wake:
			}
			simNow = max(simNow, r.clk.simNow())
			continue
		}
		res := r.eng.step(simNow)
		if res.tokens == 0 {
			// Nothing could be scheduled (only aborted work was left).
			r.size.Add(-int64(res.dropped))
			r.record(res, 0, 0)
			continue
		}
		due := r.clk.wallAt(res.endS)
		if !pace.waitUntil(due) {
			<-ctx.Done() // hung: stay silent until the server stops
			return
		}
		now := time.Now()
		lag := now.Sub(due)
		simNow = res.endS
		if lag > maxLag {
			simNow = r.clk.simAt(now)
		}
		// Metrics first: a client that has its last token finds its
		// request in /metrics.
		stepWall := r.clk.wallDuration(res.durationS)
		r.record(res, lag, stepWall)
		r.publish(res)
		if rep, ok := r.lag.add(now, lag, isLate(lag, stepWall)); ok {
			r.warn(lagWarning(rep, r.clk.speedup))
		}
	}
}

// publish hands the step's tokens to the handlers.
func (r *replica) publish(res *stepResult) {
	for _, s := range res.emitted {
		if s.out != nil {
			s.out.publish(s.index, s)
		}
	}
	r.size.Add(-int64(len(res.finished) + res.dropped))
}

// record adds the step to the replica's metrics; lag is how late its
// tokens left and stepWall its wall duration (both 0 for a step that
// scheduled nothing).
func (r *replica) record(res *stepResult, lag, stepWall time.Duration) {
	r.mu.Lock()
	queued := len(r.inbox)
	r.mu.Unlock()
	m := r.met
	m.mu.Lock()
	defer m.mu.Unlock()
	if res.tokens > 0 {
		m.st.recordStep(res)
		m.st.recordLag(max(0, lag).Seconds(), isLate(lag, stepWall))
	}
	m.st.running = res.numRunning
	m.st.waiting = res.numWaiting + queued
	m.st.kvUsage = res.kvUsage
}
