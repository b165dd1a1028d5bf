package app

import (
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestBeginPointCounts(t *testing.T) {
	p := sweep.Point{ContextSize: 64, Concurrency: 2, NumPrompts: 4, OutputLen: 8}
	tests := []struct {
		name   string
		atMost bool
		n      int
		want   []string
	}{
		{"sweep", false, 3, []string{"[point 1/3] CTX64 C2 P4 O8", "[point 2/3] CTX64 C2 P4 O8 (ETA 20s)", "[point 3/3] CTX64 C2 P4 O8 (ETA 10s)"}},
		{"paired", true, 3, []string{"[point 1 of at most 3] CTX64 C2 P4 O8", "[point 2 of at most 3] CTX64 C2 P4 O8 (at most 20s left)", "[point 3 of at most 3] CTX64 C2 P4 O8 (at most 10s left)"}},
		// No count: no "/0" and no negative time left.
		{"no count", false, 0, []string{"[point 1] CTX64 C2 P4 O8", "[point 2] CTX64 C2 P4 O8", "[point 3] CTX64 C2 P4 O8"}},
	}
	for _, tt := range tests {
		var b strings.Builder
		clock := time.Unix(0, 0)
		l := &lines{w: &b, now: func() time.Time { return clock }, atMost: tt.atMost}
		for k := 1; k <= 3; k++ {
			l.BeginPoint(k, tt.n, p)
			clock = clock.Add(10 * time.Second)
		}
		if got := strings.Split(strings.TrimSpace(b.String()), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: lines\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}
