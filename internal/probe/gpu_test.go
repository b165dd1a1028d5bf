package probe

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// fakeDir is the directory of the fake nvidia-smi.
func fakeDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "nvidia-smi", "fake"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func recording(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "nvidia-smi", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readSamples(t *testing.T, name string) []gpuSample {
	t.Helper()
	f, err := os.Open(recording(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []gpuSample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s, err := parseTelemetryRow(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestParseTelemetryRow(t *testing.T) {
	tests := []struct {
		line    string
		sm      float64
		power   float64
		reasons uint64
		ok      bool // reasons present
		err     string
	}{
		{"0, GPU-5c1f, NVIDIA H100 80GB HBM3, 1410, 2619, 539.53, 700.00, 87, 100, 74213, 0x0000000000000048", 1410, 539.53, 0x48, true, ""},
		{"3, GPU-aa, NVIDIA A10G, 1710, 6251, [N/A], 300.00, 40, 0, 1, [Not Supported]", 1710, math.NaN(), 0, false, ""},
		{"0, GPU-5c1f, NVIDIA H100, 1410", 0, 0, 0, false, "want 11 fields, got 4"},
		{"x, GPU-5c1f, NVIDIA H100, 1, 2, 3, 4, 5, 6, 7, 0x0", 0, 0, 0, false, `index "x" is not a number`},
		{"0, GPU-5c1f, NVIDIA H100, 1, 2, 3, 4, 5, 6, 7, 0xzz", 0, 0, 0, false, "not a hex bitmask"},
	}
	for _, tt := range tests {
		s, err := parseTelemetryRow(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one with %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		if s.smMHz != tt.sm || !(s.powerW == tt.power || math.IsNaN(tt.power) && math.IsNaN(s.powerW)) || s.reasons != tt.reasons || s.reasonsOK != tt.ok {
			t.Errorf("%q: sm %v power %v reasons %#x/%v, want %v %v %#x/%v", tt.line, s.smMHz, s.powerW, s.reasons, s.reasonsOK, tt.sm, tt.power, tt.reasons, tt.ok)
		}
	}
}

func TestSummarizeRecordings(t *testing.T) {
	thermal, _ := summarizeGPUs(readSamples(t, "telemetry-h100x2-thermal.csv"), "")
	steady, _ := summarizeGPUs(readSamples(t, "telemetry-h100x2-steady.csv"), "")
	if len(thermal) != 2 || len(steady) != 2 {
		t.Fatalf("GPUs: %d and %d, want 2 and 2", len(thermal), len(steady))
	}
	hot := thermal[0]
	// 16 of GPU 0's 25 samples are thermal: 7 SW thermal (0x20), 9 HW
	// thermal with HW slowdown (0x48); its clocks: 9 x 1335, 7 x 1410,
	// 9 x 1755 MHz.
	if hot.Samples != 25 || hot.ThermalThrottlePct != 64 || hot.HWSlowdownPct != 36 || hot.PowerThrottlePct != 0 || hot.ThrottlePct != 64 {
		t.Errorf("GPU 0: samples %d thermal %v hw %v power %v any %v, want 25 64 36 0 64",
			hot.Samples, hot.ThermalThrottlePct, hot.HWSlowdownPct, hot.PowerThrottlePct, hot.ThrottlePct)
	}
	if *hot.SMClockMHz != (Spread{Min: 1335, Median: 1410, Max: 1755}) {
		t.Errorf("GPU 0 SM clock %+v, want 1335/1410/1755", *hot.SMClockMHz)
	}
	if hot.ReasonsPct["sw_thermal_slowdown"] != 28 || hot.ReasonsPct["hw_thermal_slowdown"] != 36 {
		t.Errorf("GPU 0 reasons %v", hot.ReasonsPct)
	}
	if !hot.Throttled() || strings.Join(hot.throttleKinds(), ",") != "thermal" {
		t.Errorf("GPU 0 throttled %v kinds %v, want true [thermal]", hot.Throttled(), hot.throttleKinds())
	}
	// The steady GPU 0 touches its power cap in 1 sample of 25: 4 %, not
	// throttled.
	if s := steady[0]; s.Throttled() || s.PowerThrottlePct != 4 || s.SMClockMHz.Median != 1980 || s.PowerLimitW.Max != 700 {
		t.Errorf("steady GPU 0: %+v", s)
	}
	if thermal[1].Throttled() || thermal[1].ReasonsPct != nil {
		t.Errorf("GPU 1 of the thermal recording: %+v", thermal[1])
	}
}

func TestSummarizeVisibleDevices(t *testing.T) {
	samples := readSamples(t, "telemetry-h100x2-thermal.csv")
	tests := []struct {
		visible string
		want    []int
		note    bool
	}{
		{"", []int{0, 1}, false},
		{"1", []int{1}, false},
		{"1,0", []int{0, 1}, false},
		{"GPU-0b9e8d7c", []int{1}, false},
		{"MIG-1234", []int{0, 1}, true},
	}
	for _, tt := range tests {
		gpus, note := summarizeGPUs(samples, tt.visible)
		var got []int
		for _, g := range gpus {
			got = append(got, g.Index)
		}
		if !slices.Equal(got, tt.want) || (note != "") != tt.note {
			t.Errorf("CUDA_VISIBLE_DEVICES=%q: GPUs %v note %q, want %v note %v", tt.visible, got, note, tt.want, tt.note)
		}
	}
}

// groupAlive reports whether a process of process group pgid is alive
// (zombies are dead). It reads /proc and reports false where there is none.
func groupAlive(t *testing.T, pgid int) bool {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}

func fakeOnPath(t *testing.T, telemetry string) (pidfile string) {
	t.Helper()
	t.Setenv("PATH", fakeDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_NVIDIA_SMI_TELEMETRY", recording(t, telemetry))
	pidfile = filepath.Join(t.TempDir(), "pid")
	t.Setenv("FAKE_NVIDIA_SMI_PIDFILE", pidfile)
	return pidfile
}

func samplesSoFar(r *GPURecording) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.samples)
}

func loopPid(t *testing.T, pidfile string) int {
	t.Helper()
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestGPURecordingWithFakeNvidiaSMI(t *testing.T) {
	for _, tc := range []struct {
		name, oldDriver, field string
	}{
		{"driver 535 and newer", "", "clocks_event_reasons.active"},
		{"older driver", "1", "clocks_throttle_reasons.active"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pidfile := fakeOnPath(t, "telemetry-h100x2-thermal.csv")
			t.Setenv("FAKE_NVIDIA_SMI_OLD_DRIVER", tc.oldDriver)
			r := StartGPU(context.Background(), GPUOptions{Interval: 5 * time.Millisecond})
			if r == nil {
				t.Fatal("no recording with nvidia-smi on PATH")
			}
			waitFor(t, "12 samples", func() bool { return samplesSoFar(r) >= 12 })
			pid := loopPid(t, pidfile)
			if !groupAlive(t, pid) && runtimeHasProc() {
				t.Fatalf("the loop's process group %d is not running", pid)
			}
			block := r.Stop()
			if groupAlive(t, pid) {
				t.Errorf("process group %d left running after Stop", pid)
			}
			if block.ReasonsField != tc.field || block.IntervalMs != 5 || len(block.GPUs) != 2 || block.Note != "" || block.BadRows != 0 {
				t.Fatalf("block %+v", block)
			}
			if g := block.GPUs[0]; !g.Throttled() || g.ThermalThrottlePct < 50 || g.SMClockMHz.Max != 1755 {
				t.Errorf("GPU 0 %+v, want thermal throttled", g)
			}
			if g := block.GPUs[1]; g.Throttled() || g.SMClockMHz.Median != 1980 {
				t.Errorf("GPU 1 %+v, want steady at 1980 MHz", g)
			}
			if again := r.Stop(); again.GPUs[0].Samples != block.GPUs[0].Samples {
				t.Errorf("a second Stop changed the block")
			}
		})
	}
}

func TestGPURecordingStopsWithContext(t *testing.T) {
	pidfile := fakeOnPath(t, "telemetry-h100x2-steady.csv")
	ctx, cancel := context.WithCancel(context.Background())
	r := StartGPU(ctx, GPUOptions{Interval: 5 * time.Millisecond, VisibleDevices: "1"})
	waitFor(t, "a sample", func() bool { return samplesSoFar(r) >= 2 })
	cancel()
	select {
	case <-r.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled context did not stop nvidia-smi")
	}
	if groupAlive(t, loopPid(t, pidfile)) {
		t.Error("process group left running after the context ended")
	}
	block := r.Stop()
	if len(block.GPUs) != 1 || block.GPUs[0].Index != 1 || block.VisibleDevices != "1" {
		t.Errorf("CUDA_VISIBLE_DEVICES=1: %+v", block)
	}
}

func TestGPURecordingWithoutNvidiaSMI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := StartGPU(context.Background(), GPUOptions{})
	if r != nil {
		t.Fatalf("recording %+v without nvidia-smi, want nil", r)
	}
	if block := r.Stop(); block != nil {
		t.Errorf("nil recording's block %+v, want nil", block)
	}
}

func TestGPURecordingBrokenDriver(t *testing.T) {
	fakeOnPath(t, "telemetry-h100x2-steady.csv")
	t.Setenv("FAKE_NVIDIA_SMI_FAIL", "1")
	block := StartGPU(context.Background(), GPUOptions{Interval: 5 * time.Millisecond}).Stop()
	if block == nil || len(block.GPUs) != 0 || !strings.Contains(block.Note, "couldn't communicate with the NVIDIA driver") {
		t.Errorf("block %+v, want no GPUs and the driver's message", block)
	}
}

func runtimeHasProc() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

func TestGPURecordingKnownReasonsField(t *testing.T) {
	fakeOnPath(t, "telemetry-h100x2-steady.csv")
	// An older driver refuses the newer field: told the older one, no
	// query is needed to find out.
	t.Setenv("FAKE_NVIDIA_SMI_OLD_DRIVER", "1")
	r := StartGPU(context.Background(), GPUOptions{Interval: 5 * time.Millisecond, ReasonsField: "clocks_throttle_reasons.active"})
	waitFor(t, "2 samples", func() bool { return samplesSoFar(r) >= 2 })
	if block := r.Stop(); block.ReasonsField != "clocks_throttle_reasons.active" || len(block.GPUs) != 2 {
		t.Errorf("block %+v", block)
	}
	// Told a field the driver refuses, the loop fails at once: the block
	// says why.
	r = StartGPU(context.Background(), GPUOptions{Interval: 5 * time.Millisecond, ReasonsField: "clocks_event_reasons.active"})
	select {
	case <-r.read:
	case <-time.After(10 * time.Second):
		t.Fatal("nvidia-smi did not exit on a field it refuses")
	}
	if block := r.Stop(); len(block.GPUs) != 0 || !strings.Contains(block.Note, `nvidia-smi gave no samples: Field "clocks_event_reasons.active" is not a valid field`) {
		t.Errorf("block %+v, want no GPUs and nvidia-smi's message", block)
	}
}

// TestGPURecordingLongLine feeds a line of 70 KB after 3 rows, then 15
// rows with a thermal throttle: the long line is skipped and counted, and
// reading goes on to every later row.
func TestGPURecordingLongLine(t *testing.T) {
	dir := t.TempDir()
	row := "0, GPU-5c1f6d3e-8a2b-4c7d-9e1f-2a3b4c5d6e7f, NVIDIA H100 80GB HBM3, %d, 2619, 652.95, 700.00, 83, 100, 74213, %s\n"
	var out strings.Builder
	for range 3 {
		fmt.Fprintf(&out, row, 1980, "0x0000000000000000")
	}
	out.WriteString("0, " + strings.Repeat("x", 70<<10) + "\n")
	for range 15 {
		fmt.Fprintf(&out, row, 1410, "0x0000000000000020")
	}
	rows := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(rows, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	smi := filepath.Join(dir, "nvidia-smi")
	if err := os.WriteFile(smi, []byte("#!/bin/sh\ncat "+rows+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := StartGPU(context.Background(), GPUOptions{Command: smi, Interval: 5 * time.Millisecond, ReasonsField: reasonsField})
	<-r.read
	block := r.Stop()
	if len(block.GPUs) != 1 || block.LongLines != 1 || block.BadRows != 0 {
		t.Fatalf("block %+v, want one GPU, one long line", block)
	}
	g := block.GPUs[0]
	if g.Samples != 18 || !g.Throttled() || !near(g.ThermalThrottlePct, 100*15.0/18) {
		t.Errorf("GPU 0: %d samples, thermal throttle %v %%; want 18 samples, 15 of them throttled", g.Samples, g.ThermalThrottlePct)
	}
	if want := "skipped 1 line of nvidia-smi's output longer than 64 KiB"; !strings.Contains(block.Note, want) {
		t.Errorf("note %q does not say %q", block.Note, want)
	}
}

func TestEachLine(t *testing.T) {
	var rows []string
	long := 0
	in := "a\n" + strings.Repeat("y", 40) + "\nb\n" + strings.Repeat("z", 17) + "\nlast"
	err := eachLine(strings.NewReader(in), 16, func(b []byte) { rows = append(rows, string(b)) }, func() { long++ })
	if err != nil || strings.Join(rows, ",") != "a,b,last" || long != 2 {
		t.Errorf("rows %q, %d long, %v; want a, b, last and 2 long", rows, long, err)
	}
	err = eachLine(iotest.TimeoutReader(strings.NewReader(strings.Repeat("w", 40))), 16, func([]byte) {}, func() {})
	if err == nil {
		t.Error("a failing reader: no error")
	}
}
