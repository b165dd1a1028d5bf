package report

import "github.com/vllm-bench-action/vllm-bench-action/internal/gate"

// Report renders the outcome of a comparison: the gate's verdicts are its
// data, and its methods (Markdown, Text, JSON, Annotations) only format
// them.
type Report struct {
	*gate.Report
}

// New returns the renderer of a gate outcome.
func New(r *gate.Report) *Report { return &Report{Report: r} }
