package report

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
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

// goldenFull is where the golden comments say the full report is when
// they are trimmed.
var goldenFull = FullReport{RunURL: "https://github.com/octo/llm/actions/runs/123", Files: []string{"results/report.md", "results/report.json"}}

// gridMetrics are the 15 metrics the grid report gates: every one but
// request goodput, which needs SLOs, and the server's start, which is not a
// point's.
func gridMetrics() []string {
	var out []string
	for _, m := range gate.MetricNames() {
		if m != "request_goodput" && m != "startup_seconds" {
			out = append(out, m)
		}
	}
	return out
}

// gridReport is a 48-point grid (4 context sizes x 4 concurrencies x 3
// prompt counts) gating 15 metrics: TTFT regressed at CTX4096, decode
// slower and throughput lower at C64, the rest drawn anew.
func gridReport() *Report {
	var ps []baseline.Pair
	seed := uint64(1)
	for _, ctx := range []int{512, 1024, 2048, 4096} {
		for _, conc := range []int{8, 16, 32, 64} {
			for _, n := range []int{100, 200, 400} {
				b := gatetest.Spec{Run: "llama-7b", Ctx: ctx, Conc: conc, GPU: gpu, TTFTMs: 40 + float64(ctx)/20 + float64(conc)/2,
					TPOTMs: 8 + float64(conc)/16, OutputTokS: 120 * float64(conc) / (1 + float64(conc)/64), N: n, Repeats: 2, Seed: seed}
				c := b
				c.Seed += 1000
				if ctx == 4096 {
					c.TTFTMs *= 1.6
				}
				if conc == 64 {
					c.TPOTMs *= 1.3
					c.OutputTokS *= 0.7
				}
				p := gatetest.Pair(c, &b, nil)
				// The fixture records only the median ITL: its tail
				// follows the TPOT's.
				for _, f := range []*results.File{p.Current.File, p.Baseline} {
					f.P90ITLMs, f.P99ITLMs = 1.1*f.P90TPOTMs, 1.2*f.P99TPOTMs
				}
				ps = append(ps, p)
				seed++
			}
		}
	}
	settings := gate.Defaults()
	settings.Metrics = gridMetrics()
	return New(gate.Compare(ps, gate.Options{Seed: 1, Resamples: 200, Default: &settings}))
}

// suspectReport is the regression comment's sweep with the regressed
// point measured by a client that fell behind a fast stream: its bound,
// 10 % of a 0.004 ms median ITL, is far under a millisecond.
func suspectReport() *Report {
	ps := commentSweep(func(s *gatetest.Spec) {
		if s.Conc == 32 {
			s.TTFTMs *= 1.25
		}
	})
	h := probe.ClientHealth{SchedLagP50Ms: 0.014, SchedLagP99Ms: 0.02, LagSamples: 1000, GOMAXPROCS: 2}
	h.Judge(0.004)
	ps[2].Current.File.VllmBench.Client = &h
	return New(gate.Compare(ps, gate.Options{Seed: 1}))
}

func TestGoldenComments(t *testing.T) {
	missing := func() *gate.Report {
		// The sweep stopped after C32: C64 is in the baseline, C128 and
		// C256 were planned.
		ps := commentSweep(nil)
		return withMissing(gate.Compare(ps[:3], gate.Options{Seed: 1}), 64, 128, 256)
	}
	t.Run("missing", func(t *testing.T) {
		md, _ := New(missing()).Comment(goldenFull)
		if want := "## ❌ 3 points missing: llama-7b TP1 · C64 and 2 more"; !strings.Contains(md, want) {
			t.Errorf("headline %q, want %q", strings.SplitN(md, "\n", 2)[0], want)
		}
		golden(t, "comment-missing.md", md)
	})
	for _, sc := range commentScenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := New(gate.Compare(sc.pairs(), gate.Options{Seed: 1}))
			md, trimmed := r.Comment(goldenFull)
			if trimmed {
				t.Errorf("a 4-point comment was trimmed")
			}
			if !strings.HasPrefix(md, sc.headline) {
				t.Errorf("headline %q, want it to start with %q", strings.SplitN(md, "\n", 2)[0], sc.headline)
			}
			golden(t, "comment-"+sc.name+".md", md)
		})
	}
	t.Run("suspect", func(t *testing.T) {
		r := suspectReport()
		md, _ := r.Comment(goldenFull)
		for _, want := range []string{"## ", "⏱️ 1 regression on suspect measurements", "scheduling lag p50 0.014 ms > 0.0004 ms"} {
			if !strings.Contains(md, want) {
				t.Errorf("suspect comment lacks %q", want)
			}
		}
		golden(t, "comment-suspect.md", md)
	})
	t.Run("grid", func(t *testing.T) {
		md, _ := gridReport().Comment(goldenFull)
		golden(t, "comment-grid.md", md)
	})
	t.Run("trimmed", func(t *testing.T) {
		r := New(gate.Compare(gatetest.Sweep200(true), gate.Options{Seed: 1, Resamples: 100}))
		md, trimmed := r.Comment(goldenFull)
		if !trimmed || !strings.Contains(md, "Trimmed to fit GitHub's comment size limit") {
			t.Errorf("the 200-point comment was not trimmed, or does not say so")
		}
		golden(t, "comment-trimmed.md", md)
	})
}

// TestGridTableFitsCommentWidth: the 48-point, 15-metric grid's compact
// table has one row per point shown and only the columns whose estimated
// width fits a comment (the browser test measures the drawn table too),
// and names the metrics it leaves out.
func TestGridTableFitsCommentWidth(t *testing.T) {
	md, _ := gridReport().Comment(goldenFull)
	var table []string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") {
			table = append(table, line)
		} else if len(table) > 0 {
			break
		}
	}
	if len(table) != 2+48 {
		t.Fatalf("the compact table has %d lines, want a heading, a rule and 48 rows", len(table))
	}
	split := func(line string) []string {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		return cells
	}
	header := split(table[0])
	var rows [][]string
	for _, line := range table[2:] {
		rows = append(rows, split(line))
	}
	if len(header) < 2 || len(header) > 1+len(gridMetrics())/2 {
		t.Errorf("%d columns for 15 metrics: %q", len(header), header)
	}
	if w := tableWidthPx(header, rows); w > commentWidthPx {
		t.Errorf("the table is about %.0f px wide, more than a comment's %d px", w, commentWidthPx)
	}
	if !strings.Contains(md, "Not in the table, to fit a comment's width: ") {
		t.Error("the metrics left out of the table are not named")
	}
}
