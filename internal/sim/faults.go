package sim

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// faults injects the --sim-* failures. Counting starts at the first
// generation request the server admits (after validation and after any
// injected HTTP 500); health, model and tokenizer calls do not count.
type faults struct {
	crashAfter int
	hangAfter  int
	errorRate  float64

	admitted atomic.Int64

	mu  sync.Mutex
	rng *rand.Rand // for error draws

	crashOnce, hangOnce sync.Once
	crashed, hung       chan struct{}
}

func newFaults(o *options, rng *rand.Rand) *faults {
	return &faults{
		crashAfter: o.SimCrashAfter,
		hangAfter:  o.SimHangAfter,
		errorRate:  o.SimErrorRate,
		rng:        rng,
		crashed:    make(chan struct{}),
		hung:       make(chan struct{}),
	}
}

// drawError reports whether this request gets an injected HTTP 500.
func (f *faults) drawError() bool {
	if f.errorRate <= 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < f.errorRate
}

// admit counts one admitted generation request. When the count reaches
// --sim-crash-after the crashed channel closes (the process then dies with
// that request and any others in flight); when it reaches --sim-hang-after
// the hung channel closes (everything stops answering).
func (f *faults) admit() {
	n := int(f.admitted.Add(1))
	if f.crashAfter > 0 && n >= f.crashAfter {
		f.crashOnce.Do(func() { close(f.crashed) })
	}
	if f.hangAfter > 0 && n >= f.hangAfter {
		f.hangOnce.Do(func() { close(f.hung) })
	}
}

// isHung reports whether the server has hung.
func (f *faults) isHung() bool {
	select {
	case <-f.hung:
		return true
	default:
		return false
	}
}
