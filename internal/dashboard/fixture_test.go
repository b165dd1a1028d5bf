package dashboard

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// fixture writes a baselines directory with one run of two servers and two
// points each over 14 nights, TPOT 10 % slower and throughput lower from
// night 9 on the first server, and returns its analysis and the SHA of the
// first slow night. The gate failed nights 9 and 10 (on record, not
// promoted) and night 11 was accepted on purpose, as the nightly action
// records them. Each server starts cold on nights 1 and 6 (a new vLLM
// emptied the compile cache) and warm on the others; the run's GPU-seconds
// are its starts' plus a steady 1200.
func fixture(t *testing.T) (*trend.Analysis, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var entries []baseline.HistoryEntry
	var slowSHA string
	for i := range 14 {
		e := baseline.HistoryEntry{
			Date:     fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1),
			GitSHA:   fmt.Sprintf("%07x%033x", 0x5eed000+i, i),
			GPUModel: "NVIDIA H100 80GB HBM3",
			Points:   map[string]map[string]float64{},
			Spread:   map[string]map[string]float64{},
		}
		if i == 8 {
			slowSHA = e.GitSHA
		}
		no := false
		switch i {
		case 8, 9:
			e.Verdict, e.Promoted = "regression", &no
		case 10:
			e.Verdict, e.AcceptedBy, e.AcceptReason = "regression", "octocat", "larger batches trade TPOT for throughput"
		}
		for _, srv := range []string{"llama_TP1_DP1", "llama_TP2_DP1"} {
			for _, c := range []int{8, 32} {
				name := fmt.Sprintf("%s_CTX512_C%d_P100_O128.json", srv, c)
				f := 1.0
				if i >= 8 && srv == "llama_TP1_DP1" {
					f = 1.10
				}
				noise := func() float64 { return 1 + 0.01*rng.NormFloat64() }
				e.Points[name] = map[string]float64{
					"median_ttft_ms":    (20 + float64(c)) * noise(),
					"median_tpot_ms":    (7 + float64(c)/16) * f * noise(),
					"output_throughput": 110 * float64(c) / f * noise(),
				}
				e.Spread[name] = map[string]float64{"median_tpot_ms": 0.3}
			}
			warm := i != 0 && i != 5
			start := 90.0
			if warm {
				start = 30
			}
			start *= 1 + 0.02*rng.NormFloat64()
			if e.Starts == nil {
				e.Starts = map[string][]baseline.Start{}
				e.GPUSeconds = &baseline.GPUSeconds{Total: 1200, Measuring: 1000}
			}
			e.Starts[srv] = []baseline.Start{{S: start, CacheWarm: &warm}}
			e.GPUSeconds.Total += start
			e.GPUSeconds.Start += start
		}
		entries = append(entries, e)
	}
	dir := t.TempDir()
	baselinetest.WriteHistory(t, dir, "llama", entries)
	a, err := trend.Analyze(dir, trend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, slowSHA
}
