package sim

import "sync"

// progress is what a handler may know of one sequence.
type progress struct {
	generated int
	done      bool
	reason    string // finish reason once done
}

// delivery hands tokens from the engine goroutine of a replica to the HTTP
// handler of one request (one entry per prompt of a batch). The engine
// publishes after each step; the handler waits on notify, which holds at
// most one pending wake-up, so the engine never blocks on a slow client.
type delivery struct {
	mu     sync.Mutex
	notify chan struct{}
	seqs   []progress
}

func newDelivery(n int) *delivery {
	return &delivery{notify: make(chan struct{}, 1), seqs: make([]progress, n)}
}

// publish records the sequence's state and wakes the handler.
func (d *delivery) publish(index int, s *sequence) {
	d.mu.Lock()
	p := &d.seqs[index]
	p.generated = s.generated
	if s.finished {
		p.done = true
		p.reason = s.finishReason()
	}
	d.mu.Unlock()
	select {
	case d.notify <- struct{}{}:
	default:
	}
}

// snapshot copies the progress of sequence index.
func (d *delivery) snapshot(index int) progress {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seqs[index]
}
