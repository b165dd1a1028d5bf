package gatetest

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// H100 is the GPU model the fixtures are measured on.
const H100 = "NVIDIA H100 80GB HBM3"

// outLen is every request's output length in tokens.
const outLen = 128

// Spec describes a synthetic result: its point, medians, throughput and
// noise.
type Spec struct {
	Run        string
	TP         int // 0 means 1
	Ctx, Conc  int // context size and concurrency
	GPU        string
	TTFTMs     float64 // median TTFT
	TPOTMs     float64 // median TPOT
	OutputTokS float64 // mean output throughput in tok/s
	N          int     // requests
	Repeats    int     // throughput repeats; 0 means 1
	Failed     int     // failed requests, the first ones
	Seed       uint64
}

// Server is the spec's server configuration.
func (s Spec) Server() sweep.Server {
	tp := s.TP
	if tp == 0 {
		tp = 1
	}
	return sweep.Server{Run: s.Run, TP: tp, DP: 1, PP: 1}
}

// Point is the spec's sweep point.
func (s Spec) Point() sweep.Point {
	return sweep.Point{ContextSize: s.Ctx, Concurrency: s.Conc, NumPrompts: s.N, OutputLen: outLen}
}

// File builds a realistic result file: log-normal TTFTs and TPOTs around
// the medians, 128 output tokens, statistics computed from the samples.
func File(s Spec) *results.File {
	rng := rand.New(rand.NewPCG(s.Seed, 42))
	f := &results.File{
		Date: "20250101-000000", Backend: "vllm", ModelID: "meta-llama/Llama-2-7b-hf",
		NumPrompts: s.N, RequestRate: "inf", Burstiness: 1, MaxConcurrency: s.Conc,
	}
	var ttfts, tpots, e2els []float64
	for i := range s.N {
		if i < s.Failed {
			f.Ttfts = append(f.Ttfts, 0)
			f.Latencies = append(f.Latencies, 0)
			f.OutputLens = append(f.OutputLens, 0)
			f.InputLens = append(f.InputLens, s.Ctx)
			f.Errors = append(f.Errors, "server disconnected")
			continue
		}
		ttft := s.TTFTMs * math.Exp(0.15*rng.NormFloat64())
		tpot := s.TPOTMs * math.Exp(0.05*rng.NormFloat64())
		lat := ttft + tpot*(outLen-1)
		ttfts, tpots, e2els = append(ttfts, ttft), append(tpots, tpot), append(e2els, lat)
		f.Ttfts = append(f.Ttfts, ttft/1000)
		f.Latencies = append(f.Latencies, lat/1000)
		f.OutputLens = append(f.OutputLens, outLen)
		f.InputLens = append(f.InputLens, s.Ctx)
		f.Errors = append(f.Errors, "")
	}
	f.Completed, f.Failed = s.N-s.Failed, s.Failed
	f.TotalInputTokens, f.TotalOutputTokens = s.Ctx*f.Completed, outLen*f.Completed
	f.MedianTTFTMs, f.P90TTFTMs, f.P99TTFTMs = stats.Quantile(ttfts, 0.5), stats.Quantile(ttfts, 0.9), stats.Quantile(ttfts, 0.99)
	f.MedianTPOTMs, f.P90TPOTMs, f.P99TPOTMs = stats.Quantile(tpots, 0.5), stats.Quantile(tpots, 0.9), stats.Quantile(tpots, 0.99)
	f.MedianITLMs = f.MedianTPOTMs
	f.MedianE2ELMs, f.P90E2ELMs, f.P99E2ELMs = stats.Quantile(e2els, 0.5), stats.Quantile(e2els, 0.9), stats.Quantile(e2els, 0.99)
	repeats := max(s.Repeats, 1)
	var sum float64
	for range repeats {
		v := s.OutputTokS * (1 + 0.01*rng.NormFloat64())
		sum += v
		f.VllmBench.Repeats = append(f.VllmBench.Repeats, results.Repeat{
			OutputThroughput: v, RequestThroughput: v / outLen, TotalTokenThroughput: v * (1 + float64(s.Ctx)/outLen),
			Completed: f.Completed / repeats, MedianTTFTMs: f.MedianTTFTMs, MedianTPOTMs: f.MedianTPOTMs,
		})
	}
	f.OutputThroughput = sum / float64(repeats)
	f.RequestThroughput = f.OutputThroughput / outLen
	f.TotalTokenThroughput = f.OutputThroughput * (1 + float64(s.Ctx)/outLen)
	f.Duration = float64(f.TotalOutputTokens) / f.OutputThroughput
	srv := s.Server()
	f.VllmBench = results.Meta{
		SchemaVersion: results.SchemaVersion, Run: srv.Run, Engine: "vllm",
		TP: srv.TP, DP: srv.DP, PP: srv.PP, Point: s.Point(), Endpoint: "completions",
		Repeats: f.VllmBench.Repeats, Env: results.Env{GPUModel: s.GPU},
		StartTime: "2025-01-01T00:00:00Z", EndTime: "2025-01-01T00:01:00Z",
	}
	return f
}

// Pair builds a matched pair from a current spec, an optional baseline and
// the point's history (statistic to past values). A current spec whose
// requests all failed is stored under the failed-point name; a baseline on
// another GPU model makes the pair a mismatch.
func Pair(cur Spec, base *Spec, history map[string][]float64) baseline.Pair {
	f := File(cur)
	name := sweep.ResultName(cur.Server(), cur.Point())
	path := "results/" + name
	if cur.Failed > 0 && cur.Failed == cur.N {
		path = "results/" + strings.TrimSuffix(name, ".json") + baseline.FailedSuffix
	}
	p := baseline.Pair{
		Current:      &baseline.Result{Name: name, Path: path, File: f},
		BaselinePath: "baselines/" + cur.Run + "/" + name,
		History:      history,
	}
	if base != nil {
		p.Baseline = File(*base)
		if bg := p.Baseline.VllmBench.Env.GPUModel; bg != cur.GPU {
			p.Mismatch = "baseline measured on " + bg + ", this run on " + cur.GPU
		}
	}
	return p
}

// GoldenPairs is a small sweep of run "llama-7b" on an H100 with one of
// each outcome: unchanged, regression (TTFT +20 %, with history),
// improvement (TPOT -30 %, throughput +30 %), a new point, a failed point
// and a baseline from other hardware.
func GoldenPairs() []baseline.Pair {
	base := func(ctx, conc int, seed uint64) Spec {
		return Spec{Run: "llama-7b", Ctx: ctx, Conc: conc, GPU: H100, TTFTMs: 40 + float64(ctx)/20 + float64(conc)/2,
			TPOTMs: 8 + float64(conc)/16, OutputTokS: 120 * float64(conc) / (1 + float64(conc)/64), N: 200, Repeats: 2, Seed: seed}
	}
	with := func(s Spec, f func(*Spec)) *Spec { f(&s); return &s }
	var ps []baseline.Pair
	// CTX512: unchanged at C8, regression at C32, improvement at C64.
	b := base(512, 8, 1)
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 101 }), &b, nil))
	// The regression has run-to-run history, so it is judged against the
	// measured spread rather than the no-history allowance.
	b = base(512, 32, 2)
	hist := map[string][]float64{"median_ttft_ms": {b.TTFTMs, 1.01 * b.TTFTMs, 0.99 * b.TTFTMs, 1.005 * b.TTFTMs, 0.995 * b.TTFTMs}}
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 102; s.TTFTMs *= 1.2 }), &b, hist))
	b = base(512, 64, 3)
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 103; s.TPOTMs *= 0.7; s.OutputTokS *= 1.3 }), &b, nil))
	// CTX1024: new at C8, failed at C32, unchanged at C64.
	b = base(1024, 8, 4)
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 104 }), nil, nil))
	b = base(1024, 32, 5)
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 105; s.Failed = 3 }), &b, nil))
	b = base(1024, 64, 6)
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 106 }), &b, nil))
	// TP2: the baseline was measured on an A100.
	b = base(512, 8, 7)
	b.TP = 2
	ps = append(ps, Pair(*with(b, func(s *Spec) { s.Seed = 107 }), with(b, func(s *Spec) { s.GPU = "NVIDIA A100-SXM4-80GB"; s.TTFTMs *= 1.5 }), nil))
	return ps
}

// Sweep200 is a 200-point sweep of run "llama-70b-long-run-name": 4 server
// configurations (TP1 to TP4) x 5 context sizes x 10 concurrencies, 60
// requests each, without history; with regress, every point is slower
// beyond the no-history allowances (TTFT x2, TPOT x1.5, throughput x0.6).
// Its report is too large for a PR comment.
func Sweep200(regress bool) []baseline.Pair {
	var ps []baseline.Pair
	seed := uint64(1)
	for tp := 1; tp <= 4; tp++ {
		for _, ctx := range []int{256, 512, 1024, 2048, 4096} {
			for _, conc := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512} {
				b := Spec{Run: "llama-70b-long-run-name", TP: tp, Ctx: ctx, Conc: conc, GPU: H100,
					TTFTMs: 30 + float64(ctx)/10, TPOTMs: 10 + float64(conc)/8, OutputTokS: 100 * float64(conc), N: 60, Repeats: 2, Seed: seed}
				c := b
				c.Seed = seed + 1000
				if regress {
					c.TTFTMs *= 2
					c.TPOTMs *= 1.5
					c.OutputTokS *= 0.6
				}
				ps = append(ps, Pair(c, &b, nil))
				seed++
			}
		}
	}
	return ps
}
