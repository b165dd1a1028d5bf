package app

import (
	"fmt"
	"strconv"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// lengthReasons returns why a point's prompt or output lengths are not
// what it asked for (cut prompts, an ignored max_tokens), from its
// suspicions.
func lengthReasons(f *results.File) []string {
	var out []string
	for _, s := range f.Suspicions() {
		if s.Source == "lengths" {
			out = append(out, s.Reason)
		}
	}
	return out
}

// lengthWarnings returns one line per point and reason whose lengths are
// not what the point asked for.
func lengthWarnings(rows []runner.Row) []string {
	var out []string
	for _, r := range rows {
		s := r.Server
		for _, reason := range lengthReasons(r.File) {
			out = append(out, fmt.Sprintf("%s TP%d DP%d PP%d %s: %s", s.Run.Name, s.TP, s.DP, s.PP, r.Point.Label(), reason))
		}
	}
	return out
}

// span writes a range of counts, one number when both ends are equal.
func span(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}
