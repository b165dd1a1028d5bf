package results

// EarlyStop records how bench.precision ended a point's timed rounds. The
// file keeps num_prompts (the cap, also in its name); completed and failed
// count what was sent.
type EarlyStop struct {
	// Precision is the relative half-width every watched median's 95 %
	// interval had to reach, e.g. 0.02; 0 with Auto.
	Precision float64 `json:"precision"`
	// Auto is true for bench.precision auto: each median's target was its
	// run-to-run CV.
	Auto bool `json:"auto,omitempty"`
	// MinPrompts is the fewest requests a round completes before it may
	// stop.
	MinPrompts int `json:"min_prompts"`
	// Metrics are the gated latency medians and throughputs watched.
	Metrics []string `json:"metrics"`
	// Targets holds, per watched metric, the relative error it had to
	// reach: a median's 95 % half-width, a throughput's drain share
	// concurrency/(2·requests) (0: it could not settle, its run-to-run
	// noise unknown).
	Targets map[string]float64 `json:"targets,omitempty"`
	// Sent is, per repeat, the number of requests sent.
	Sent []int `json:"sent"`
	// Reasons says, per repeat, why it stopped: the medians' half-widths
	// when they settled, or that num_prompts came first.
	Reasons []string `json:"reasons"`
}

// Stopped reports whether some round sent fewer than its cap of requests.
func (e *EarlyStop) Stopped(numPrompts int) bool {
	for _, n := range e.Sent {
		if n < numPrompts {
			return true
		}
	}
	return false
}
