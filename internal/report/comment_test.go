package report

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// commentSweep is one server configuration at four concurrencies with five
// accepted runs of history around the baseline; change edits the current
// run's spec of each point (the baseline stays), whose requests are drawn
// anew.
func commentSweep(change func(s *gatetest.Spec)) []baseline.Pair {
	return sweepOf(change, 100)
}

// sweepOf is commentSweep with the current run's seeds offset by reseed
// from the baseline's (0: the same requests).
func sweepOf(change func(s *gatetest.Spec), reseed uint64) []baseline.Pair {
	var ps []baseline.Pair
	for i, conc := range []int{8, 16, 32, 64} {
		b := gatetest.Spec{Run: "llama-7b", Ctx: 512, Conc: conc, GPU: gpu, TTFTMs: 60 + float64(conc)/2,
			TPOTMs: 8 + float64(conc)/16, OutputTokS: 120 * float64(conc) / (1 + float64(conc)/64), N: 200, Repeats: 2, Seed: uint64(i + 1)}
		c := b
		c.Seed += reseed
		if change != nil {
			change(&c)
		}
		spread := []float64{1, 1.01, 0.99, 1.005, 0.995}
		hist := map[string][]float64{}
		for _, m := range []struct {
			name  string
			value float64
		}{{"median_ttft_ms", b.TTFTMs}, {"median_tpot_ms", b.TPOTMs}, {"output_throughput", b.OutputTokS}} {
			for _, f := range spread {
				hist[m.name] = append(hist[m.name], f*m.value)
			}
		}
		ps = append(ps, gatetest.Pair(c, &b, hist))
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
		return commentSweep(func(s *gatetest.Spec) {
			if s.Conc == 32 {
				s.TTFTMs *= 1.25
			}
		})
	}, "## ❌ 1 regression in 1 point: llama-7b TP1 · C32 · median TTFT +"},
	// The same requests again: every cell shown within the tolerance.
	{"unchanged", func() []baseline.Pair { return sweepOf(nil, 0) }, "## ✅ 12 cells in 4 points unchanged"},
	// Requests drawn anew: some medians move too much within the run to be
	// shown within the tolerance, and none is a regression.
	{"undecided", func() []baseline.Pair { return commentSweep(nil) }, "## ⚠️ undecided: no regression found; 3 of 12 cells undecided, 9 unchanged"},
	{"failed", func() []baseline.Pair {
		return commentSweep(func(s *gatetest.Spec) {
			switch s.Conc {
			case 16:
				s.Failed = 3
			case 64:
				s.TPOTMs *= 0.85
				s.OutputTokS *= 1.15
			}
		})
	}, "## ❌ 1 point failed: llama-7b TP1 · C16"},
	{"improvement", func() []baseline.Pair {
		return commentSweep(func(s *gatetest.Spec) {
			if s.Conc >= 32 {
				s.TPOTMs *= 0.85
			}
		})
	}, "## ⚠️ 2 improvements in 2 points: llama-7b TP1 · C"},
}

// withMissing adds rows for points the sweep planned and did not run, as
// gate.CompareDirs does, in point order.
func withMissing(r *gate.Report, concs ...int) *gate.Report {
	g := r.Groups[0]
	for _, conc := range concs {
		p := g.Rows[0].Point
		p.Concurrency = conc
		g.Rows = append(g.Rows, &gate.Row{Name: sweep.ResultName(g.Server, p), Point: p, Verdict: gate.Missing,
			Note: "not run: the sweep stopped before this point", BaseThroughput: math.NaN(), CurThroughput: math.NaN()})
	}
	sort.SliceStable(g.Rows, func(i, j int) bool { return g.Rows[i].Point.Concurrency < g.Rows[j].Point.Concurrency })
	return r
}

func TestGoldenComments(t *testing.T) {
	missing := func() *gate.Report {
		// The sweep stopped after C32: C64 is in the baseline, C128 and
		// C256 were planned.
		ps := commentSweep(nil)
		return withMissing(gate.Compare(ps[:3], gate.Options{Seed: 1}), 64, 128, 256)
	}
	t.Run("missing", func(t *testing.T) {
		md := New(missing()).Markdown()
		if want := "## ❌ 3 points missing: llama-7b TP1 · C64 and 2 more"; !strings.Contains(md, want) {
			t.Errorf("headline %q, want %q", strings.SplitN(md, "\n", 2)[0], want)
		}
		golden(t, "comment-missing.md", md)
	})
	for _, sc := range commentScenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := New(gate.Compare(sc.pairs(), gate.Options{Seed: 1}))
			md := r.Markdown()
			if !strings.HasPrefix(md, sc.headline) {
				t.Errorf("headline %q, want it to start with %q", strings.SplitN(md, "\n", 2)[0], sc.headline)
			}
			golden(t, "comment-"+sc.name+".md", md)
		})
	}
}
