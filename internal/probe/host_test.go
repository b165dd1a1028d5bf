package probe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePSI(t *testing.T) {
	tests := []struct {
		text    string
		avg10   float64
		totalUs uint64
		err     string
	}{
		{"some avg10=92.30 avg60=88.67 avg300=54.80 total=282773855\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 92.30, 282773855, ""},
		{"full avg10=1.00 avg60=0.00 avg300=0.00 total=5\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=17\n", 0, 17, ""},
		{"some avg10=0.00 avg60=0.00\n", 0, 0, "lacks avg10 or total"},
		{"some avg10=x total=1\n", 0, 0, `avg10 "x" is not a number`},
		{"", 0, 0, "no some line"},
	}
	for _, tt := range tests {
		got, err := parsePSI(tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || got.ok {
				t.Errorf("parsePSI(%q) = %+v, %v; want error %q", tt.text, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.ok || got.avg10 != tt.avg10 || got.totalUs != tt.totalUs {
			t.Errorf("parsePSI(%q) = %+v, %v; want avg10 %v total %v", tt.text, got, err, tt.avg10, tt.totalUs)
		}
	}
}

func TestParseStat(t *testing.T) {
	got, err := parseStat("cpu  46251 1369 24737 65364 227 0 431 90 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
	if err != nil || !got.ok || got.steal != 90 || got.total != 46251+1369+24737+65364+227+0+431+90 {
		t.Errorf("parseStat = %+v, %v", got, err)
	}
	if _, err := parseStat("cpu 1 2 3 4\n"); err == nil || !strings.Contains(err.Error(), "with steal") {
		t.Errorf("short cpu line: %v", err)
	}
	if _, err := parseStat("intr 5\n"); err == nil {
		t.Error("no cpu line: no error")
	}
}

func TestHostFold(t *testing.T) {
	h := &HostHealth{DurationS: 10, StalledBoundPct: HostStalledBoundPct, StealBoundPct: HostStealBoundPct, Cores: 2}
	h.fold(psiSome{totalUs: 1_000_000, ok: true}, psiSome{avg10: 81.5, totalUs: 9_000_000, ok: true},
		cpuTimes{steal: 10, total: 1000, ok: true}, cpuTimes{steal: 130, total: 3000, ok: true})
	if h.CPUStalledPct == nil || *h.CPUStalledPct != 80 || *h.CPUPressureAvg10Pct != 81.5 || h.StealPct == nil || *h.StealPct != 6 {
		t.Fatalf("fold = stalled %v avg10 %v steal %v; want 80, 81.5, 6", h.CPUStalledPct, h.CPUPressureAvg10Pct, h.StealPct)
	}
	got := h.BusyReasons()
	want := fmt.Sprintf("CPU pressure: runnable tasks waited for a CPU 80 %% of the timed rounds > %.0f %% (2 cores, load n/a)", HostStalledBoundPct)
	if len(got) != 1 || got[0] != want {
		t.Errorf("BusyReasons = %q, want [%q] (steal 6 %% is within its bound)", got, want)
	}

	quiet := &HostHealth{DurationS: 10, StalledBoundPct: HostStalledBoundPct, StealBoundPct: HostStealBoundPct}
	quiet.fold(psiSome{totalUs: 0, ok: true}, psiSome{totalUs: 200_000, ok: true},
		cpuTimes{steal: 0, total: 1000, ok: true}, cpuTimes{steal: 300, total: 2000, ok: true})
	if got := quiet.BusyReasons(); len(got) != 1 || !strings.HasPrefix(got[0], "CPU steal 30.0 % of the CPU time > 10 %") {
		t.Errorf("2 %% stalled, 30 %% steal: BusyReasons = %q", got)
	}

	missing := &HostHealth{DurationS: 10}
	missing.fold(psiSome{}, psiSome{}, cpuTimes{}, cpuTimes{})
	if missing.CPUStalledPct != nil || missing.StealPct != nil || len(missing.BusyReasons()) != 0 {
		t.Errorf("no readings: %+v", missing)
	}
	var none *HostHealth
	if none.BusyReasons() != nil || none.SharedGPUReason() != "" {
		t.Error("a nil block has reasons")
	}
}

// fakeProc writes a /proc with the named files under a temporary root.
func fakeProc(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestHostProbeMissingSources(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no nvidia-smi
	p := StartHost(context.Background(), HostOptions{ProcRoot: t.TempDir(), ServerPID: 100})
	h := p.Stop()
	if h.CPUStalledPct != nil || h.StealPct != nil || h.Load1 != nil || len(h.GPUProcesses) != 0 {
		t.Errorf("figures without sources: %+v", h)
	}
	for _, want := range []string{"no CPU pressure: ", "cannot be read (Linux 4.20 or later with PSI enabled has it)", "no CPU steal: "} {
		if !strings.Contains(h.Note, want) {
			t.Errorf("note %q does not say %q", h.Note, want)
		}
	}
	if p.Stop() != h {
		t.Error("a second Stop gave another block")
	}
}

// TestHostProbeGPUProcesses lists the processes on the point's GPU (GPU 0)
// that are not the server's: the server (pid 100), its worker in its group
// (101), a child that left the group (102, parent 101) are its own; pid
// 200 is another job's; pid 300 has no /proc entry here; pid 400 is on GPU
// 1, which the point does not use.
func TestHostProbeGPUProcesses(t *testing.T) {
	gpu0, gpu1 := "GPU-5c1f6d3e-8a2b-4c7d-9e1f-2a3b4c5d6e7f", "GPU-0b9e8d7c-6f5a-4e3d-8c2b-1a0f9e8d7c6b"
	root := fakeProc(t, map[string]string{
		"pressure/cpu": "some avg10=1.00 avg60=0.00 avg300=0.00 total=100\n",
		"stat":         "cpu  1 0 1 10 0 0 0 0 0 0\n",
		"loadavg":      "0.52 0.40 0.30 1/100 999\n",
		"100/stat":     "100 (vllm) S 1 100 100 0",
		"101/stat":     "101 (VllmWorker (rank 0)) S 100 100 100 0",
		"102/stat":     "102 (ray::worker) S 101 102 102 0",
		"200/stat":     "200 (python3) S 1 200 200 0",
		"400/stat":     "400 (python3) S 1 400 400 0",
	})
	apps := filepath.Join(t.TempDir(), "apps.csv")
	rows := strings.Join([]string{
		gpu0 + ", 100, /usr/bin/python3, 70000",
		gpu0 + ", 101, VllmWorker rank=0, 1200",
		gpu0 + ", 102, ray::RayWorkerWrapper, 600",
		gpu0 + ", 200, python3, 2048",
		gpu0 + ", 300, python3, [N/A]",
		gpu1 + ", 400, python3, 512",
		"garbage",
	}, "\n") + "\n"
	if err := os.WriteFile(apps, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", fakeDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_NVIDIA_SMI_TELEMETRY", recording(t, "telemetry-h100x2-steady.csv"))
	t.Setenv("FAKE_NVIDIA_SMI_APPS", apps)
	h := StartHost(context.Background(), HostOptions{ProcRoot: root, VisibleDevices: "0", ServerPID: 100}).Stop()
	if len(h.GPUProcesses) != 1 || h.GPUProcesses[0] != (GPUProcess{PID: 200, Name: "python3", UsedMemoryMiB: 2048, GPUUUID: gpu0}) {
		t.Fatalf("GPU processes %+v, want pid 200 only", h.GPUProcesses)
	}
	if want := "another process on the point's GPUs: pid 200 (python3, 2048 MiB on " + gpu0 + ")"; h.SharedGPUReason() != want {
		t.Errorf("SharedGPUReason = %q, want %q", h.SharedGPUReason(), want)
	}
	for _, want := range []string{"could not read 1 line of nvidia-smi's process list", "processes 300 on the point's GPUs are not visible here"} {
		if !strings.Contains(h.Note, want) {
			t.Errorf("note %q does not say %q", h.Note, want)
		}
	}
	if h.Load1 == nil || *h.Load1 != 0.52 {
		t.Errorf("load %v, want 0.52", h.Load1)
	}

	// A server the harness did not start: nothing is judged, and the note
	// says so.
	h = StartHost(context.Background(), HostOptions{ProcRoot: root}).Stop()
	if len(h.GPUProcesses) != 0 || !strings.Contains(h.Note, "not started by vllm-bench") {
		t.Errorf("external server: %+v", h)
	}
}

// TestHostProbeSharedHost stalls the fake host for the whole window: judged,
// it is busy; on a host known to be shared the same figure is recorded,
// noted and held to no bound.
func TestHostProbeSharedHost(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no nvidia-smi
	for _, shared := range []bool{false, true} {
		root := fakeProc(t, map[string]string{
			"pressure/cpu": "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			"stat":         "cpu  1 0 1 10 0 0 0 0 0 0\n",
		})
		p := StartHost(context.Background(), HostOptions{ProcRoot: root, Shared: shared})
		// Stalled for far longer than the window: the share is capped at 100 %.
		if err := os.WriteFile(filepath.Join(root, "pressure/cpu"), []byte("some avg10=99.00 avg60=50.00 avg300=10.00 total=60000000\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		h := p.Stop()
		if h.CPUStalledPct == nil || *h.CPUStalledPct < 99 {
			t.Fatalf("shared %v: stalled %v, want about 100 %%", shared, h.CPUStalledPct)
		}
		busy := h.BusyReasons()
		noted := strings.Contains(h.Note, SharedHostVar+"=1")
		if shared && (len(busy) != 0 || !noted || h.StalledBoundPct != 100) {
			t.Errorf("shared host: busy %q, note %q, bound %v; want no reason, the note, bound 100", busy, h.Note, h.StalledBoundPct)
		}
		if !shared && (len(busy) != 1 || noted) {
			t.Errorf("judged host: busy %q, note %q; want the CPU-pressure reason", busy, h.Note)
		}
	}
}
