package probe

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitSamples waits until p has n lag samples or 10 s pass.
func waitSamples(t *testing.T, p *ClientProbe, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		seen := p.seen
		p.mu.Unlock()
		if seen >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d lag samples after 10 s", n)
}

func TestClientProbe(t *testing.T) {
	p := StartClient(context.Background())
	waitSamples(t, p, 20)
	h := p.Stop()
	if h.LagSamples < 20 {
		t.Errorf("samples = %d, want >= 20", h.LagSamples)
	}
	if h.SchedLagP50Ms < 0 || h.SchedLagP50Ms > h.SchedLagP99Ms || h.SchedLagP99Ms > h.SchedLagMaxMs {
		t.Errorf("lag p50 %v p99 %v max %v not ordered", h.SchedLagP50Ms, h.SchedLagP99Ms, h.SchedLagMaxMs)
	}
	if h.GOMAXPROCS != runtime.GOMAXPROCS(0) || h.DurationS <= 0 || h.SaturationBoundMs != SaturationLagMs {
		t.Errorf("health %+v", h)
	}
	if runtime.GOOS != "windows" && (h.CPUSeconds <= 0 || h.CPUPercent <= 0) {
		t.Errorf("cpu %v s (%v %%), want > 0", h.CPUSeconds, h.CPUPercent)
	}
	if again := p.Stop(); again != h {
		t.Errorf("second Stop = %+v, want %+v", again, h)
	}
}

func TestClientProbeStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := StartClient(ctx)
	waitSamples(t, p, 2)
	cancel()
	done := make(chan ClientHealth)
	go func() { done <- p.Stop() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return after the context ended")
	}
}

// TestClientProbeSaturated starves the probe: one core and goroutines that
// never block, so a goroutine the poller wakes waits for the scheduler to
// preempt one of them (about 10 ms).
func TestClientProbeSaturated(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			deadline := time.Now().Add(20 * time.Second)
			for !stop.Load() && time.Now().Before(deadline) {
			}
		})
	}
	p := StartClient(context.Background())
	waitSamples(t, p, 30)
	h := p.Stop()
	stop.Store(true)
	wg.Wait()
	if !h.Saturated || h.SchedLagP99Ms <= SaturationLagMs {
		t.Errorf("a starved client: lag p99 %.3f ms, saturated %v; want > 1 ms and true", h.SchedLagP99Ms, h.Saturated)
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		p50Ms, p99Ms, medianITLMs float64
		samples                   int
		p50BoundMs                float64
		saturated                 bool
		gaps                      int // inter-token gaps measured
	}{
		{0.01, 0.5, 0, 100, 0, false, 0},
		{0.01, 1.5, 0, 100, 0, true, 0},      // the p99 bound, 1 ms
		{0.01, 1.5, 40, 100, 4, true, 0},     // the p99 bound whatever the ITL
		{0.01, 0.5, 20, 100, 2, false, 0},    // both within bounds
		{0.3, 0.5, 2, 100, 0.2, true, 0},     // the median lag above 10 % of a 2 ms ITL
		{0.05, 0.9, 0.4, 100, 0.04, true, 0}, // the simulator at speed: a 0.4 ms ITL
		{0.01, 0.9, 0.4, 100, 0.04, false, 0},
		{0.3, 0.5, -1, 100, 0, false, 0}, // unknown ITL: only the p99 bound
		{5, 9, 20, 0, 2, false, 0},       // no samples: no verdict
		{0.01, 1.3, 20, 40, 2, false, 0}, // 40 samples: the p99 is one hiccup
		{1.2, 1.3, 0, 40, 0, true, 0},    // but a median lag above 1 ms is not
		// A median ITL of 0 over measured gaps: tokens read in bunches,
		// however small the lag (the case the ITL bound cannot see).
		{0.01, 0.5, 0, 100, 0, true, 1000},
		{0.01, 0.5, 0, 0, 0, true, 1000}, // with no lag samples too
		{0.01, 0.5, 0, 100, 0, false, 0}, // no gaps (one-token outputs): no sign
	}
	for _, tt := range tests {
		h := ClientHealth{SchedLagP50Ms: tt.p50Ms, SchedLagP99Ms: tt.p99Ms, LagSamples: tt.samples}
		h.JudgePoint(tt.medianITLMs, tt.gaps)
		if diff := h.SaturationP50BoundMs - tt.p50BoundMs; h.Saturated != tt.saturated || h.SaturationBoundMs != SaturationLagMs || diff > 1e-12 || diff < -1e-12 {
			t.Errorf("Judge(p50 %v, p99 %v, ITL %v) = bounds %v/%v saturated %v; want %v/%v %v",
				tt.p50Ms, tt.p99Ms, tt.medianITLMs, h.SaturationP50BoundMs, h.SaturationBoundMs, h.Saturated, tt.p50BoundMs, SaturationLagMs, tt.saturated)
		}
	}
}

func TestReservoir(t *testing.T) {
	p := &ClientProbe{keepMax: 100, rng: rand.New(rand.NewPCG(1, 2))}
	for i := range 10000 {
		p.add(float64(i))
	}
	if len(p.lags) != 100 || p.seen != 10000 {
		t.Fatalf("kept %d of %d", len(p.lags), p.seen)
	}
	late := 0
	for _, v := range p.lags {
		if v >= 5000 {
			late++
		}
	}
	// A uniform sample holds about half late values; the first 100 alone
	// would hold none.
	if late < 25 || late > 75 {
		t.Errorf("%d of 100 kept samples from the second half, want about 50", late)
	}
}

// BenchmarkClientProbeCost is the probe's own CPU use, in percent of one
// core, with nothing else running in the process.
//
//	go test ./internal/probe -run '^$' -bench ClientProbeCost -benchtime 3x
func BenchmarkClientProbeCost(b *testing.B) {
	var cpuS, wallS float64
	for b.Loop() {
		p := StartClient(context.Background())
		time.Sleep(time.Second)
		h := p.Stop()
		cpuS += h.CPUSeconds
		wallS += h.DurationS
	}
	b.ReportMetric(100*cpuS/wallS, "cpu-%")
}

func TestWarning(t *testing.T) {
	h := ClientHealth{SchedLagP50Ms: 0.01, SchedLagP99Ms: 3.256, LagSamples: 100, CPUPercent: 187, GOMAXPROCS: 2}
	h.Judge(20)
	want := "client saturated (scheduling lag p99 3.26 ms > 1 ms, CPU 187 % of 2 cores): latencies are suspect"
	if got := h.Warning(); got != want {
		t.Errorf("Warning() = %q, want %q", got, want)
	}
	h = ClientHealth{SchedLagP50Ms: 0.05, SchedLagP99Ms: 0.2, LagSamples: 100}
	h.Judge(0.4)
	want = "client saturated (scheduling lag p50 0.05 ms > 0.04 ms, 10 % of the median ITL): latencies are suspect"
	if got := h.Warning(); got != want {
		t.Errorf("Warning() = %q, want %q", got, want)
	}
	h.Judge(20)
	if got := h.Warning(); got != "" {
		t.Errorf("Warning() of a client that kept up = %q", got)
	}
	h = ClientHealth{SchedLagP50Ms: 2.5, SchedLagP99Ms: 9, LagSamples: 30}
	h.Judge(0)
	want = "client saturated (scheduling lag p50 2.5 ms > 1 ms): latencies are suspect"
	if got := h.Warning(); got != want {
		t.Errorf("Warning() = %q, want %q", got, want)
	}
	h = ClientHealth{SchedLagP50Ms: 0.012, SchedLagP99Ms: 0.4, LagSamples: 1000}
	h.JudgePoint(0, 5000)
	want = "client saturated (median ITL 0 ms: tokens read in bunches, scheduling lag p50 0.012 ms): latencies are suspect"
	if got := h.Warning(); got != want || !h.BunchedTokens {
		t.Errorf("Warning() = %q (bunched %v), want %q", got, h.BunchedTokens, want)
	}
	// A fast stream: a bound of 10 % of a 0.004 ms median ITL is shown as
	// it is, not rounded to zero.
	h = ClientHealth{SchedLagP50Ms: 0.014, SchedLagP99Ms: 0.02, LagSamples: 1000}
	h.Judge(0.004)
	want = "client saturated (scheduling lag p50 0.014 ms > 0.0004 ms, 10 % of the median ITL): latencies are suspect"
	if got := h.Warning(); got != want {
		t.Errorf("Warning() with a small bound = %q, want %q", got, want)
	}
}

// A load-aware probe wakes ClientTickHzPerStream times a second per stream
// in flight, no more often than ClientTick, and once a second when idle.
func TestTickInterval(t *testing.T) {
	for _, tt := range []struct {
		streams int
		want    time.Duration
	}{
		{-1, time.Second},
		{0, time.Second},
		{1, 250 * time.Millisecond},
		{2, 125 * time.Millisecond},
		{10, 25 * time.Millisecond},
		{50, ClientTick},
		{1000, ClientTick},
	} {
		if got := tickInterval(tt.streams); got != tt.want {
			t.Errorf("tickInterval(%d) = %s, want %s", tt.streams, got, tt.want)
		}
	}
}

func TestCountChunks(t *testing.T) {
	h := ClientHealth{CPUSeconds: 0.5}
	h.CountChunks(1000)
	if h.Chunks != 1000 || h.CPUMicrosPerChunk != 500 {
		t.Errorf("chunks %d, cpu_us_per_chunk %v; want 1000 and 500", h.Chunks, h.CPUMicrosPerChunk)
	}
	h = ClientHealth{} // no CPU time on this platform
	h.CountChunks(1000)
	if h.CPUMicrosPerChunk != 0 {
		t.Errorf("cpu_us_per_chunk %v without a CPU time, want none", h.CPUMicrosPerChunk)
	}
}

// A load-aware probe samples while streams are in flight and measures the
// same lag as a fixed one.
func TestStartClientLoadSamples(t *testing.T) {
	p := StartClientLoad(context.Background(), func() int { return 1000 })
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		n := p.seen
		p.mu.Unlock()
		if n >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if h := p.Stop(); h.LagSamples < 3 || h.SchedLagMaxMs <= 0 {
		t.Errorf("lag samples %d, max %v ms; want some", h.LagSamples, h.SchedLagMaxMs)
	}
}
