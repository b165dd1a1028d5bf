package report

import (
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
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
