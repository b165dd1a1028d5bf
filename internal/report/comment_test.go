package report

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
)

// commentSweep is one server configuration at four concurrencies; change
// edits the current run's spec of each point (the baseline stays).
func commentSweep(change func(s *spec)) []baseline.Pair {
	var ps []baseline.Pair
	for i, conc := range []int{8, 16, 32, 64} {
		b := spec{run: "llama-7b", ctx: 512, conc: conc, gpu: gpu, ttftMs: 60 + float64(conc)/2,
			tpotMs: 8 + float64(conc)/16, outTput: 120 * float64(conc) / (1 + float64(conc)/64), n: 200, repeats: 2, seed: uint64(i + 1)}
		c := b
		c.seed += 100
		if change != nil {
			change(&c)
		}
		ps = append(ps, pair(c, &b, nil))
	}
	return ps
}

// commentScenarios are the golden PR comments: one per outcome a reviewer
// meets. Each names what its headline must say.
var commentScenarios = []struct {
	name     string
	pairs    func() []baseline.Pair
	headline string
}{
	{"regression", func() []baseline.Pair {
		return commentSweep(func(s *spec) {
			if s.conc == 32 {
				s.ttftMs *= 1.25
			}
		})
	}, "## ❌ 1 regression: llama-7b TP1 · C32 · median TTFT +"},
	{"unchanged", func() []baseline.Pair { return commentSweep(nil) }, "## ✅ 4 points unchanged"},
	{"failed", func() []baseline.Pair {
		return commentSweep(func(s *spec) {
			switch s.conc {
			case 16:
				s.failed = 3
			case 64:
				s.tpotMs *= 0.85
				s.outTput *= 1.15
			}
		})
	}, "## ❌ 1 point failed: llama-7b TP1 · C16"},
	{"improvement", func() []baseline.Pair {
		return commentSweep(func(s *spec) {
			if s.conc >= 32 {
				s.tpotMs *= 0.85
			}
		})
	}, "## ✅ 2 improvements: llama-7b TP1 · C"},
}

func TestGoldenComments(t *testing.T) {
	for _, sc := range commentScenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := Compare(sc.pairs(), Options{Seed: 1})
			md := r.Markdown()
			if !strings.HasPrefix(md, sc.headline) {
				t.Errorf("headline %q, want it to start with %q", strings.SplitN(md, "\n", 2)[0], sc.headline)
			}
			golden(t, "comment-"+sc.name+".md", md)
		})
	}
}
