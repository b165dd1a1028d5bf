package config

import (
	"fmt"
	"sort"
	"strings"
)

// Sizes above these are accepted but warned about by Config.Warnings: no
// benchmark means them, and a typo (an extra zero) would cost hours.
const (
	// WarnNumPrompts is the most prompts per point that passes silently.
	WarnNumPrompts = 1_000_000
	// WarnConcurrency is the most concurrent requests that passes silently.
	WarnConcurrency = 100_000
	// WarnTokens is the longest context or output, in tokens, that passes
	// silently: the longest context windows served today are 10M tokens.
	WarnTokens = 10_000_000
)

// Warnings returns the values of a valid config that are allowed but almost
// certainly not meant, each at the line of its key: sizes above the Warn
// limits, num_prompts below a concurrency (which is then never reached)
// and, when gpus > 0 (the GPUs nvidia-smi reports), layouts whose
// tp x dp x pp needs more GPUs than that.
func (c *Config) Warnings(gpus int) []*Error {
	var out []*Error
	add := func(path, format string, args ...any) {
		out = append(out, &Error{File: c.Path, Line: c.line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for i := range c.Runs {
		r := &c.Runs[i]
		p := fmt.Sprintf("runs[%d]", i)
		for j, n := range r.Bench.NumPrompts {
			var above []string
			for _, c := range r.Bench.Concurrency {
				if n < c {
					above = append(above, fmt.Sprint(c))
				}
			}
			if len(above) > 0 {
				add(fmt.Sprintf("%s.bench.num_prompts[%d]", p, j), "%d prompts are fewer than concurrency %s: at most %d requests are ever in flight at those points (the result's vllm_bench.peak_concurrent_requests records the concurrency reached)", n, strings.Join(above, ", "), n)
			}
		}
		limits := []struct {
			key    string
			values []int
			limit  int
			unit   string
		}{
			{"num_prompts", r.Bench.NumPrompts, WarnNumPrompts, "prompts"},
			{"concurrency", r.Bench.Concurrency, WarnConcurrency, "concurrent requests"},
			{"context_size", r.Bench.ContextSize, WarnTokens, "tokens"},
			{"output_len", r.Bench.OutputLen, WarnTokens, "tokens"},
		}
		for _, l := range limits {
			for j, n := range l.values {
				if n > l.limit {
					add(fmt.Sprintf("%s.bench.%s[%d]", p, l.key, j), "%d %s is above %d; is that meant?", n, l.unit, l.limit)
				}
			}
		}
		// The simulator and an external server use none of this machine's GPUs.
		if gpus <= 0 || r.Engine == EngineSim || !r.Engine.Launched() {
			continue
		}
		for j, pair := range r.Serve.TPDPPairs {
			if need := pair.TP * pair.DP * pair.PP; need > gpus {
				add(fmt.Sprintf("%s.serve.tp_dp_pairs[%d]", p, j), "tp %d x dp %d x pp %d needs %d GPUs, but nvidia-smi reports %d on this machine", pair.TP, pair.DP, pair.PP, need, gpus)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// line is the line of path in the file, or of its nearest ancestor written
// there; 0 for a config not parsed from a file.
func (c *Config) line(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := c.lines[p]; ok {
			return l
		}
	}
	return 0
}
