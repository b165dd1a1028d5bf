package gate

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// spec describes a synthetic result: medians, throughput and noise.
type spec struct {
	run       string
	tp        int
	ctx, conc int
	gpu       string
	ttftMs    float64 // median TTFT
	tpotMs    float64 // median TPOT
	outTput   float64 // output tok/s
	n         int     // requests
	repeats   int
	failed    int
	seed      uint64
}

func (s spec) server() sweep.Server {
	tp := s.tp
	if tp == 0 {
		tp = 1
	}
	return sweep.Server{Run: s.run, TP: tp, DP: 1, PP: 1}
}

func (s spec) point() sweep.Point {
	return sweep.Point{ContextSize: s.ctx, Concurrency: s.conc, NumPrompts: s.n, OutputLen: 128}
}

// makeFile builds a realistic result file: log-normal TTFTs and TPOTs around
// the medians, 128 output tokens, statistics computed from the samples.
func makeFile(s spec) *results.File {
	rng := rand.New(rand.NewPCG(s.seed, 42))
	const outLen = 128
	f := &results.File{
		Date: "20250101-000000", Backend: "vllm", ModelID: "meta-llama/Llama-2-7b-hf",
		NumPrompts: s.n, RequestRate: "inf", Burstiness: 1, MaxConcurrency: s.conc,
	}
	var ttfts, tpots, e2els []float64
	for i := range s.n {
		if i < s.failed {
			f.Ttfts = append(f.Ttfts, 0)
			f.Latencies = append(f.Latencies, 0)
			f.OutputLens = append(f.OutputLens, 0)
			f.InputLens = append(f.InputLens, s.ctx)
			f.Errors = append(f.Errors, "server disconnected")
			continue
		}
		ttft := s.ttftMs * math.Exp(0.15*rng.NormFloat64())
		tpot := s.tpotMs * math.Exp(0.05*rng.NormFloat64())
		lat := ttft + tpot*(outLen-1)
		ttfts, tpots, e2els = append(ttfts, ttft), append(tpots, tpot), append(e2els, lat)
		f.Ttfts = append(f.Ttfts, ttft/1000)
		f.Latencies = append(f.Latencies, lat/1000)
		f.OutputLens = append(f.OutputLens, outLen)
		f.InputLens = append(f.InputLens, s.ctx)
		f.Errors = append(f.Errors, "")
	}
	f.Completed, f.Failed = s.n-s.failed, s.failed
	f.TotalInputTokens, f.TotalOutputTokens = s.ctx*f.Completed, outLen*f.Completed
	f.MedianTTFTMs, f.P90TTFTMs, f.P99TTFTMs = stats.Quantile(ttfts, 0.5), stats.Quantile(ttfts, 0.9), stats.Quantile(ttfts, 0.99)
	f.MedianTPOTMs, f.P90TPOTMs, f.P99TPOTMs = stats.Quantile(tpots, 0.5), stats.Quantile(tpots, 0.9), stats.Quantile(tpots, 0.99)
	f.MedianITLMs = f.MedianTPOTMs
	f.MedianE2ELMs, f.P90E2ELMs, f.P99E2ELMs = stats.Quantile(e2els, 0.5), stats.Quantile(e2els, 0.9), stats.Quantile(e2els, 0.99)
	repeats := max(s.repeats, 1)
	var sum float64
	for range repeats {
		v := s.outTput * (1 + 0.01*rng.NormFloat64())
		sum += v
		f.VllmBench.Repeats = append(f.VllmBench.Repeats, results.Repeat{
			OutputThroughput: v, RequestThroughput: v / outLen, TotalTokenThroughput: v * (1 + float64(s.ctx)/outLen),
			Completed: f.Completed / repeats, MedianTTFTMs: f.MedianTTFTMs, MedianTPOTMs: f.MedianTPOTMs,
		})
	}
	f.OutputThroughput = sum / float64(repeats)
	f.RequestThroughput = f.OutputThroughput / outLen
	f.TotalTokenThroughput = f.OutputThroughput * (1 + float64(s.ctx)/outLen)
	f.Duration = float64(f.TotalOutputTokens) / f.OutputThroughput
	srv := s.server()
	f.VllmBench = results.Meta{
		SchemaVersion: results.SchemaVersion, Run: srv.Run, Engine: "vllm",
		TP: srv.TP, DP: srv.DP, PP: srv.PP, Point: s.point(), Endpoint: "completions",
		Repeats: f.VllmBench.Repeats, Env: results.Env{GPUModel: s.gpu},
		StartTime: "2025-01-01T00:00:00Z", EndTime: "2025-01-01T00:01:00Z",
	}
	return f
}

// pair builds a matched pair from a current spec and an optional baseline.
func pair(cur spec, base *spec, history map[string][]float64) baseline.Pair {
	f := makeFile(cur)
	name := sweep.ResultName(cur.server(), cur.point())
	path := "results/" + name
	if cur.failed > 0 && cur.failed == cur.n {
		path = "results/" + strings.TrimSuffix(name, ".json") + baseline.FailedSuffix
	}
	p := baseline.Pair{
		Current:      &baseline.Result{Name: name, Path: path, File: f},
		BaselinePath: "baselines/" + cur.run + "/" + name,
		History:      history,
	}
	if base != nil {
		p.Baseline = makeFile(*base)
		if bg := p.Baseline.VllmBench.Env.GPUModel; bg != cur.gpu {
			p.Mismatch = "baseline measured on " + bg + ", this run on " + cur.gpu
		}
	}
	return p
}
