package config

import "fmt"

// applyDefaults fills every optional key left out of the file. written
// reports whether the file gave a key, so that an explicit zero (port: 0)
// stays and is reported by validation rather than silently replaced.
func applyDefaults(cfg *Config, written func(path string) bool) {
	for i := range cfg.Runs {
		r := &cfg.Runs[i]
		p := fmt.Sprintf("runs[%d].", i)
		setDefault(&r.Engine, DefaultEngine, !written(p+"engine"))
		s := &r.Serve
		setDefault(&s.Port, DefaultPort, !written(p+"serve.port"))
		setDefault(&s.GPUMemoryUtilization, DefaultGPUMemoryUtilization, !written(p+"serve.gpu_memory_utilization"))
		setDefault(&s.MaxNumSeqs, DefaultMaxNumSeqs, !written(p+"serve.max_num_seqs"))
		setDefault(&s.Dtype, DefaultDtype, !written(p+"serve.dtype"))
		setDefault(&s.StartupTimeout, DefaultStartupTimeout, !written(p+"serve.startup_timeout"))
		if len(s.TPDPPairs) == 0 && r.Engine == EngineExternal && !written(p+"serve.tp_dp_pairs") {
			// An external server's layout is not ours to choose; the pair
			// only labels its result files.
			s.TPDPPairs = []Parallel{{TP: 1, DP: 1, PP: 1}}
		}
		for j := range s.TPDPPairs {
			pair := fmt.Sprintf("%sserve.tp_dp_pairs[%d].", p, j)
			setDefault(&s.TPDPPairs[j].DP, 1, !written(pair+"dp"))
			setDefault(&s.TPDPPairs[j].PP, 1, !written(pair+"pp"))
		}
		b := &r.Bench
		setDefault(&b.OutputDir, DefaultOutputDir, !written(p+"bench.output_dir"))
		setDefault(&b.Burstiness, DefaultBurstiness, !written(p+"bench.burstiness"))
		setDefault(&b.Repeats, DefaultRepeats, !written(p+"bench.repeats"))
		setDefault(&b.MinPrompts, DefaultMinPrompts, !written(p+"bench.min_prompts"))
		setDefault(&b.Endpoint, DefaultEndpoint, !written(p+"bench.endpoint"))
		setDefault(&b.RequestTimeout, DefaultRequestTimeout, !written(p+"bench.request_timeout"))
		setDefault(&b.StallTimeout, DefaultStallTimeout, !written(p+"bench.stall_timeout"))
		abDefaults(r, p, written)
	}
}

func setDefault[T comparable](field *T, value T, absent bool) {
	var zero T
	if absent && *field == zero {
		*field = value
	}
}
