package metrics

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

// BenchmarkAccumulatorMemory folds 10,000 requests of 1,024 output tokens
// (one chunk per token, ITLs spread over microseconds as on a real server)
// into an Accumulator and reports the memory it needs: the live heap after
// the last Add, the highest heap in use sampled during the run, and the
// process's peak RSS (VmHWM, Linux only).
func BenchmarkAccumulatorMemory(b *testing.B) {
	const requests, tokens = 10_000, 1_024
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		var peak uint64
		r := rand.New(rand.NewPCG(1, 1))
		var a Accumulator
		for i := range requests {
			itls := make([]float32, tokens-1) // a fresh slice, as loadgen hands over
			for k := range itls {
				itls[k] = float32(0.006 + r.ExpFloat64()*0.004)
			}
			startS := float64(i) * 0.01
			a.Add(loadgen.Record{Index: i, StartS: startS, TTFTS: 0.05, LatencyS: 8, EndS: startS + 8.01,
				ITLsS: itls, PromptTokens: 1024, CompletionTokens: tokens})
			if i%500 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live := ms.HeapAlloc - base
		s := a.Summary()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		if s.Completed != requests || s.TotalOutputTokens != requests*tokens {
			b.Fatalf("summary counts %d/%d", s.Completed, s.TotalOutputTokens)
		}
		b.ReportMetric(float64(live)/(1<<20), "live-MB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
		runtime.KeepAlive(&a)
	}
}

// peakRSSMB returns the process's peak resident set (VmHWM) in MB, or 0
// where /proc is not available.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
