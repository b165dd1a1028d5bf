package report

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// startLabel names a start row (gate.IsStartPoint) where a point's label
// goes: the row judges the server configuration's start, startup_seconds.
const startLabel = "server start"

// pointLabel is a row's point in full ("CTX512 C32 P200 O128"), or
// startLabel for a start row.
func pointLabel(p sweep.Point) string {
	if gate.IsStartPoint(p) {
		return startLabel
	}
	return p.Label()
}

// settingsNotComparable counts the points measured with other settings
// than their baseline; a start not comparable for its cache state is not
// one of them.
func (r *Report) settingsNotComparable() int {
	n := 0
	for _, row := range r.Rows() {
		if row.Verdict == stats.NotComparable && !gate.IsStartPoint(row.Point) {
			n++
		}
	}
	return n
}
