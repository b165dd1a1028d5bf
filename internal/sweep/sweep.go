package sweep

import "github.com/vllm-bench-action/vllm-bench-action/internal/config"

// ServerConfig is one server to start: a run in one parallel layout, with
// the points to measure against it in plan order.
type ServerConfig struct {
	Server
	// Run is the run this configuration belongs to.
	Run *config.Run
	// Points are the benchmark points, in the order of the bench lists.
	Points []Point
}

// Expand turns a config into its server configurations, in file order (run
// by run, tp_dp_pairs in order), each holding its points: context_size x
// concurrency x num_prompts x output_len [x request_rate], the first list
// varying slowest.
func Expand(cfg *config.Config) []ServerConfig {
	var servers []ServerConfig
	for i := range cfg.Runs {
		run := &cfg.Runs[i]
		points := Points(&run.Bench)
		for _, pair := range run.Serve.TPDPPairs {
			servers = append(servers, ServerConfig{
				Server: Server{Run: run.Name, TP: pair.TP, DP: pair.DP, PP: pair.PP},
				Run:    run,
				Points: points,
			})
		}
	}
	return servers
}

// Points expands one run's bench lists into points, in plan order.
func Points(b *config.Bench) []Point {
	rates := b.RequestRate
	if len(rates) == 0 {
		rates = []float64{0}
	}
	var points []Point
	for _, ctx := range b.ContextSize {
		for _, c := range b.Concurrency {
			for _, n := range b.NumPrompts {
				for _, out := range b.OutputLen {
					for _, rate := range rates {
						points = append(points, Point{ContextSize: ctx, Concurrency: c, NumPrompts: n, OutputLen: out, RequestRate: rate})
					}
				}
			}
		}
	}
	return points
}

// ResultNames lists the result file names of a server configuration in
// plan order.
func (s ServerConfig) ResultNames() []string {
	names := make([]string, len(s.Points))
	for i, p := range s.Points {
		names[i] = ResultName(s.Server, p)
	}
	return names
}

// Cost estimates the work of a server configuration in tokens moved:
// the sum over its points of num_prompts x (context_size + output_len) x
// repeats, plus a fixed share for starting the server. Shards balance it.
func (s ServerConfig) Cost() int64 {
	var tokens int64
	for _, p := range s.Points {
		tokens += int64(p.NumPrompts) * int64(p.ContextSize+p.OutputLen) * int64(max(s.Run.Bench.Repeats, 1))
	}
	return tokens + startupCostTokens
}

// startupCostTokens is what a server start weighs in Cost: roughly the
// tokens a GPU moves in the half minute an 8B model takes to start.
const startupCostTokens = 100_000
