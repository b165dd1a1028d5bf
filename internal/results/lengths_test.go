package results

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// lengthsOf counts requests of (prompt, output) tokens.
func lengthsOf(outputLen int, reqs ...[2]int) *Lengths {
	var l Lengths
	for _, r := range reqs {
		l.Add(r[0], r[1], outputLen)
	}
	return &l
}

func TestLengthsSuspicions(t *testing.T) {
	point := sweep.Point{ContextSize: 1024, OutputLen: 64, Concurrency: 8, NumPrompts: 3}
	for _, tc := range []struct {
		name    string
		lengths *Lengths
		want    []string // one substring per expected reason, in order
	}{
		{"as asked", lengthsOf(64, [2]int{1024, 64}, [2]int{1024, 64}), nil},
		{"chat template adds prompt tokens", lengthsOf(64, [2]int{1031, 64}, [2]int{1031, 64}), nil},
		{"text prompts around the length", lengthsOf(64, [2]int{1020, 64}, [2]int{1030, 64}), nil},
		{"no usage", nil, nil},
		{"truncated", lengthsOf(64, [2]int{512, 64}, [2]int{512, 64}),
			[]string{"prompts truncated to 512 tokens: the server counted 512 to 512 prompt tokens where 1024 were sent"}},
		{"max_tokens ignored", lengthsOf(64, [2]int{1024, 64}, [2]int{1024, 1745}),
			[]string{"the server ignored max_tokens: 1 of 2 outputs were longer than the 64 tokens asked (up to 1745)"}},
		{"stopped early", lengthsOf(64, [2]int{1024, 3}, [2]int{1024, 64}, [2]int{1024, 60}),
			[]string{"the server stopped early despite ignore_eos: 2 of 3 outputs were shorter than the 64 tokens asked (down to 3)"}},
		{"all at once", lengthsOf(64, [2]int{500, 3}, [2]int{512, 100}),
			[]string{"prompts truncated to 512 tokens", "ignored max_tokens: 1 of 2", "stopped early despite ignore_eos: 1 of 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &File{VllmBench: Meta{Point: point, Lengths: tc.lengths}}
			got := f.Suspicions()
			if len(got) != len(tc.want) {
				t.Fatalf("suspicions %+v, want %d", got, len(tc.want))
			}
			for i, s := range got {
				if s.Source != "lengths" || s.LatencyOnly || !strings.Contains(s.Reason, tc.want[i]) {
					t.Errorf("suspicion %d = %+v, want source lengths, not latency-only, reason with %q", i, s, tc.want[i])
				}
			}
		})
	}
}

func TestLengthsFailedPointIsNotSuspect(t *testing.T) {
	f := &File{VllmBench: Meta{Point: sweep.Point{ContextSize: 1024, OutputLen: 64}, Error: "server died",
		Lengths: lengthsOf(64, [2]int{512, 64})}}
	if got := f.Suspicions(); len(got) != 0 {
		t.Errorf("a failed point's suspicions: %+v, want none", got)
	}
}
