package results

// Suspicion is one reason why a point's figures cannot be trusted as a
// measurement of the server alone: the client, the host or the GPU was
// doing something else, or the simulator fell behind its own clock.
// The gate reports a suspect point's changes without counting them, and
// `baseline update` refuses to promote it.
type Suspicion struct {
	// Source names the signal: "client" (saturated load generator),
	// "host" (CPU pressure or steal), "sim" (the simulator fell behind),
	// "gpu" (another process on the point's GPUs), "lengths" (the server
	// cut the prompts or did not keep to the output length).
	Source string `json:"source"`
	// Reason says what was seen, with the figure and the threshold it
	// passed, e.g. "scheduling lag p99 149 ms > 1 ms".
	Reason string `json:"reason"`
	// LatencyOnly is true when the signal taints the latencies but not
	// the throughputs (a saturated client delays its own timestamps; the
	// server's token rate is measured over the whole window all the same).
	LatencyOnly bool `json:"latency_only,omitempty"`
}

// Suspicions returns every reason why the point's measurement is suspect,
// in a fixed order; none for a clean point or a failed one.
func (f *File) Suspicions() []Suspicion {
	if f == nil || f.VllmBench.Error != "" {
		return nil
	}
	var out []Suspicion
	if f.ClientSaturated() {
		out = append(out, Suspicion{Source: "client", Reason: "saturated client: " + f.VllmBench.Client.Warning(), LatencyOnly: true})
	}
	if sm := f.VllmBench.ServerMetrics; sm != nil {
		if r := sm.Sim.Reason(); r != "" {
			out = append(out, Suspicion{Source: "sim", Reason: r})
		}
	}
	for _, r := range f.VllmBench.Host.BusyReasons() {
		out = append(out, Suspicion{Source: "host", Reason: r})
	}
	if r := f.VllmBench.Host.SharedGPUReason(); r != "" {
		out = append(out, Suspicion{Source: "gpu", Reason: r})
	}
	for _, reason := range f.VllmBench.Lengths.reasons(f.VllmBench.Point.ContextSize, f.VllmBench.Point.OutputLen) {
		out = append(out, Suspicion{Source: "lengths", Reason: reason})
	}
	return out
}
