package sim

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Real-time pacing of the engine loop.
const (
	// minSleep is the shortest wait worth a timer; shorter waits are
	// folded into the next step, so tokens may leave up to this much early.
	minSleep = 500 * time.Microsecond
	// maxLag is how far behind wall time the loop may fall before its
	// simulated clock is moved up to wall time: a loop that cannot keep up
	// stays correct and gets late, but the lag does not grow without bound.
	maxLag = 20 * time.Millisecond
)

// replica runs one data-parallel engine in real time: it steps the engine,
// waits until wall time reaches the end of the step, then publishes the
// step's tokens.
type replica struct {
	eng *engine
	clk clock
	met *metrics

	mu    sync.Mutex
	inbox []*sequence
	wake  chan struct{}

	size    atomic.Int64 // sequences submitted and not finished, for routing
	running atomic.Int64
	waiting atomic.Int64
	kvUsage atomic.Uint64 // float64 bits
}

func newReplica(eng *engine, clk clock, met *metrics) *replica {
	return &replica{eng: eng, clk: clk, met: met, wake: make(chan struct{}, 1)}
}

// submit hands sequences to the replica's loop.
func (r *replica) submit(seqs ...*sequence) {
	r.size.Add(int64(len(seqs)))
	r.waiting.Add(int64(len(seqs)))
	r.mu.Lock()
	r.inbox = append(r.inbox, seqs...)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// drain moves submitted sequences into the engine.
func (r *replica) drain() {
	r.mu.Lock()
	in := r.inbox
	r.inbox = nil
	r.mu.Unlock()
	for _, s := range in {
		r.eng.add(s)
	}
}

// run is the replica's loop; it returns when ctx is done. Once hung is
// closed it stops stepping (and publishing) until ctx is done.
func (r *replica) run(ctx context.Context, hung <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
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
		r.drain()
		if r.eng.idle() {
			select {
			case <-ctx.Done():
				return
			case <-hung:
				<-ctx.Done()
				return
			case <-r.wake:
			}
			simNow = math.Max(simNow, r.clk.simNow())
			continue
		}
		res := r.eng.step(simNow)
		if res.tokens == 0 {
			// Nothing could be scheduled (only aborted work was left).
			r.size.Add(-int64(res.dropped))
			r.publishGauges(res)
			continue
		}
		if wait := time.Until(r.clk.wallAt(res.endS)); wait >= minSleep {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-hung:
				<-ctx.Done()
				return
			case <-timer.C:
			}
		}
		simNow = res.endS
		if now := time.Now(); now.Sub(r.clk.wallAt(simNow)) > maxLag {
			simNow = r.clk.simAt(now)
		}
		r.publish(res)
	}
}

// publish hands the step's tokens to the handlers and updates the metrics.
func (r *replica) publish(res *stepResult) {
	for _, s := range res.emitted {
		if s.generated == 1 {
			r.met.observeFirstToken(s.firstTokenS - s.arrivalS)
		}
		if s.out != nil {
			s.out.publish(s.index, s)
		}
	}
	r.met.generationTokens.Add(int64(len(res.emitted)))
	for _, s := range res.finished {
		r.met.observeFinished(s)
	}
	r.size.Add(-int64(len(res.finished) + res.dropped))
	r.publishGauges(res)
}

func (r *replica) publishGauges(res *stepResult) {
	r.mu.Lock()
	queued := len(r.inbox)
	r.mu.Unlock()
	r.running.Store(int64(res.numRunning))
	r.waiting.Store(int64(res.numWaiting + queued))
	r.kvUsage.Store(math.Float64bits(res.kvUsage))
}
