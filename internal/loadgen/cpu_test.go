package loadgen

import (
	"testing"
	"time"
)

// cpuUse is CPU time split into user and system (kernel) time.
type cpuUse struct{ user, sys time.Duration }

func (u cpuUse) add(v cpuUse) cpuUse { return cpuUse{u.user + v.user, u.sys + v.sys} }
func (u cpuUse) sub(v cpuUse) cpuUse { return cpuUse{u.user - v.user, u.sys - v.sys} }

// report gives the CPU time per chunk, in µs, as benchmark metrics.
func (u cpuUse) report(b *testing.B, chunks int) {
	if chunks == 0 {
		return
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(chunks) }
	b.ReportMetric(per(u.user+u.sys), "cpu-us/chunk")
	b.ReportMetric(per(u.user), "user-us/chunk")
	b.ReportMetric(per(u.sys), "sys-us/chunk")
}
