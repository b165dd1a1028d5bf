package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/engine"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sim/simtest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// fakeNvidiaSMI puts testdata's fake nvidia-smi first on PATH, answering
// with the recorded rows of telemetry.
func fakeNvidiaSMI(t *testing.T, telemetry string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "nvidia-smi"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(root, "fake")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_NVIDIA_SMI_TELEMETRY", filepath.Join(root, telemetry))
}

func TestMeasureSamplesServerMetricsAndGPUs(t *testing.T) {
	fakeNvidiaSMI(t, "telemetry-h100x2-thermal.csv")
	// Another job's process (init, pid 1: no kin of this process) on GPU
	// 0, and one on GPU 1, which the point does not use.
	apps := filepath.Join(t.TempDir(), "apps.csv")
	if err := os.WriteFile(apps, []byte("GPU-5c1f6d3e-8a2b-4c7d-9e1f-2a3b4c5d6e7f, 1, python3, 2048\nGPU-0b9e8d7c-6f5a-4e3d-8c2b-1a0f9e8d7c6b, 1, python3, 512\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_NVIDIA_SMI_APPS", apps)
	base := simtest.Start(t)
	f, err := Measure(context.Background(), Spec{
		BaseURL: base, Point: sweep.Point{ContextSize: 512, Concurrency: 8, NumPrompts: 80, OutputLen: 32},
		WarmupPrompts: 8, Repeats: 2, Seed: 1,
		ServerMetrics: probe.ServerOptions{FirstGaugeDelay: 5 * time.Millisecond, GaugeInterval: 20 * time.Millisecond},
		GPU:           probe.GPUOptions{Interval: 20 * time.Millisecond, VisibleDevices: "0"},
		Host:          probe.HostOptions{VisibleDevices: "0", ServerPID: os.Getpid()},
	})
	if err != nil {
		t.Fatal(err)
	}
	sm := f.VllmBench.ServerMetrics
	if sm == nil || sm.Source != "vllm" || sm.Rounds != 2 || sm.Note != "" {
		t.Fatalf("server metrics %+v, want vLLM's over 2 rounds", sm)
	}
	// The warmup's requests finished before the first scrape: the deltas
	// count the timed requests alone.
	if sm.Requests == nil || sm.Requests.Delta != 160 || sm.PromptTokens == nil || *sm.PromptTokens.PerRequest != 512 {
		t.Errorf("requests %+v prompt tokens %+v, want 160 requests of 512 tokens", sm.Requests, sm.PromptTokens)
	}
	if sm.KVCacheUsagePct == nil || sm.KVCacheUsagePct.Peak <= 0 || sm.RunningRequests == nil || sm.RunningRequests.Peak < 1 {
		t.Errorf("gauges: KV %+v running %+v, want samples under load", sm.KVCacheUsagePct, sm.RunningRequests)
	}
	g := f.VllmBench.GPUTelemetry
	if g == nil || len(g.GPUs) != 1 || g.GPUs[0].Index != 0 || g.VisibleDevices != "0" {
		t.Fatalf("GPU telemetry %+v, want GPU 0 alone", g)
	}
	if gpu := g.GPUs[0]; !gpu.Throttled() || gpu.SMClockMHz == nil || gpu.SMClockMHz.Min != 1335 && gpu.SMClockMHz.Min != 1410 {
		t.Errorf("GPU 0 %+v, want thermal throttling at 1,335-1,410 MHz", gpu)
	}
	// The simulator's loop over the timed rounds: 160 requests of 32
	// tokens take steps.
	if sm.Sim == nil || sm.Sim.Steps < 32 || sm.Sim.LateBoundPct != probe.SimLateBoundPct {
		t.Errorf("sim loop %+v, want the rounds' steps", sm.Sim)
	}
	h := f.VllmBench.Host
	if h == nil || h.Cores < 1 || h.DurationS <= 0 {
		t.Fatalf("host %+v, want a block", h)
	}
	if _, err := os.Stat("/proc/pressure/cpu"); err == nil && h.CPUStalledPct == nil {
		t.Errorf("host %+v: no CPU pressure where /proc/pressure/cpu is", h)
	}
	if _, err := os.Stat("/proc/1/stat"); err == nil {
		if len(h.GPUProcesses) != 1 || h.GPUProcesses[0].PID != 1 || h.GPUProcesses[0].UsedMemoryMiB != 2048 {
			t.Errorf("GPU processes %+v, want pid 1 on GPU 0 alone", h.GPUProcesses)
		}
		var gpu bool
		for _, s := range f.Suspicions() {
			gpu = gpu || s.Source == "gpu"
		}
		if !gpu {
			t.Errorf("suspicions %+v, want the shared GPU", f.Suspicions())
		}
	}
}

// TestMeasureWithoutMetricsOrNvidiaSMI: a server without /metrics and a
// machine without nvidia-smi leave the point complete, with a note and no
// GPU block.
func TestMeasureWithoutMetricsOrNvidiaSMI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	target, err := url.Parse(simtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	sim := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			http.NotFound(w, r)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	f, err := Measure(context.Background(), Spec{
		BaseURL: proxy.URL, Point: sweep.Point{ContextSize: 128, Concurrency: 4, NumPrompts: 12, OutputLen: 8}, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Completed != 12 || f.Failed != 0 || !f.Complete() {
		t.Fatalf("completed %d failed %d complete %v, want a complete point", f.Completed, f.Failed, f.Complete())
	}
	sm := f.VllmBench.ServerMetrics
	if sm == nil || !sm.Empty() || !strings.Contains(sm.Note, "404 Not Found") {
		t.Errorf("server metrics %+v, want an empty block noting the 404", sm)
	}
	if f.VllmBench.GPUTelemetry != nil {
		t.Errorf("GPU telemetry %+v without nvidia-smi, want none", f.VllmBench.GPUTelemetry)
	}
}

func TestVisibleDevices(t *testing.T) {
	harness := func(k string) string {
		if k == "CUDA_VISIBLE_DEVICES" {
			return "0,1"
		}
		return ""
	}
	launched := []string{"vllm", "serve", "m"}
	for _, tt := range []struct {
		name string
		r    engine.Recipe
		want string
	}{
		{"the harness's", engine.Recipe{Argv: launched}, "0,1"},
		{"serve.env's, the last one", engine.Recipe{Argv: launched, Env: []string{"CUDA_VISIBLE_DEVICES=2", "X=1", "CUDA_VISIBLE_DEVICES=3"}}, "3"},
		{"an external server's are unknown", engine.Recipe{}, ""},
	} {
		if got := visibleDevices(tt.r, harness); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
