package results

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

func TestSuspicions(t *testing.T) {
	f64 := func(v float64) *float64 { return &v }
	busy := &probe.HostHealth{
		CPUStalledPct: f64(91), StealPct: f64(0), StalledBoundPct: probe.HostStalledBoundPct, StealBoundPct: probe.HostStealBoundPct, Cores: 2,
		GPUProcesses: []probe.GPUProcess{{PID: 200, Name: "python3", UsedMemoryMiB: 2048, GPUUUID: "GPU-1"}},
	}
	saturated := &probe.ClientHealth{SchedLagP50Ms: 0.1, SchedLagP99Ms: 149, LagSamples: 1000}
	saturated.Judge(5)

	f := &File{}
	if got := f.Suspicions(); len(got) != 0 {
		t.Errorf("clean point: %+v", got)
	}
	f.VllmBench.Client, f.VllmBench.Host = saturated, busy
	got := f.Suspicions()
	var sources []string
	for _, s := range got {
		sources = append(sources, s.Source)
	}
	if strings.Join(sources, ",") != "client,host,gpu" {
		t.Fatalf("sources %q, want client, host, gpu", sources)
	}
	if !got[0].LatencyOnly || got[1].LatencyOnly || got[2].LatencyOnly {
		t.Errorf("latency-only flags %+v: only the client's taints latencies alone", got)
	}
	if !strings.Contains(got[1].Reason, "91 % of the timed rounds > 50 %") || !strings.Contains(got[2].Reason, "pid 200 (python3") {
		t.Errorf("reasons %+v", got)
	}
	f.VllmBench.ServerMetrics = &probe.ServerMetrics{Sim: &probe.SimLoop{Steps: 4000, LateSteps: 1600, LatePct: 40, LateBoundPct: 25, Behind: true}}
	got = f.Suspicions()
	if len(got) != 4 || got[1].Source != "sim" || !strings.Contains(got[1].Reason, "1600 of 4000 engine steps (40.0 %) released their tokens late > 25 %") {
		t.Errorf("with the simulator behind: %+v", got)
	}
	f.VllmBench.Error = "server exited"
	if got := f.Suspicions(); got != nil {
		t.Errorf("failed point: %+v", got)
	}
}
