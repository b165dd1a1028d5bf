package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
)

// End-to-end tests of the sampling beside each point: the simulator's
// /metrics in the result files, the fake nvidia-smi's telemetry, and the
// hints and suspect marks they give the PR comment.

// fakeNvidiaSMIPath returns PATH with testdata's fake nvidia-smi first and
// the recorded telemetry it answers with.
func fakeNvidiaSMIPath(t *testing.T, telemetry string) (path, rows string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "nvidia-smi"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "fake") + string(os.PathListSeparator) + os.Getenv("PATH"), filepath.Join(root, telemetry)
}

func TestRunRecordsServerMetricsAndGPUTelemetry(t *testing.T) {
	path, rows := fakeNvidiaSMIPath(t, "telemetry-h100x2-thermal.csv")
	t.Setenv("PATH", path)
	t.Setenv("FAKE_NVIDIA_SMI_TELEMETRY", rows)
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	// A KV budget that four prompts fill before they grow (--sim-kv-tokens; it
	// must hold one max_model_len) and rounds of two seconds or more
	// (speedup 2), so that the gauges are sampled under load more than once
	// (one sample can fall as the first requests arrive, at half the cache).
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "probes", port: port, out: out, speed: "2",
		extra: []string{"--sim-kv-tokens", "4096"}, ctx: "[1000]", conc: "[8]", nump: "[48]", olen: "[32]"})
	if code, _, stderr := cli(t, nil, "run", "-c", cfg); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "probes_*.json"))
	if len(files) != 1 {
		t.Fatalf("result files %v, want 1", files)
	}
	f := checkComplete(t, files[0], "probes")
	sm := f.VllmBench.ServerMetrics
	if sm == nil || sm.Source != "vllm" || sm.Rounds != 1 || sm.Note != "" {
		t.Fatalf("server_metrics %+v, want vLLM's names over one round", sm)
	}
	if sm.QueueTime == nil || sm.QueueTime.Count != 48 || sm.QueueTime.MeanMs <= 0 {
		t.Errorf("queue_time %+v, want 48 requests that waited for KV space", sm.QueueTime)
	}
	if sm.Preemptions == nil || sm.Preemptions.Delta <= 0 {
		t.Errorf("preemptions %+v, want some with a 4,096-token KV budget", sm.Preemptions)
	}
	if sm.KVCacheUsagePct == nil || sm.KVCacheUsagePct.Samples < 1 || sm.KVCacheUsagePct.Peak <= 50 {
		t.Errorf("kv_cache_usage_pct %+v, want a nearly full cache sampled under load", sm.KVCacheUsagePct)
	}
	g := f.VllmBench.GPUTelemetry
	if g == nil || len(g.GPUs) != 2 || g.ReasonsField != "clocks_event_reasons.active" || g.IntervalMs != 500 {
		t.Fatalf("gpu_telemetry %+v, want both GPUs of the recording", g)
	}
	if hot := g.GPUs[0]; hot.SMClockMHz == nil || hot.SMClockMHz.Min > 1410 || hot.ThermalThrottlePct < 50 || !hot.Throttled() {
		t.Errorf("GPU 0 %+v, want a thermal throttle at 1,410 MHz or below", hot)
	}
	if cool := g.GPUs[1]; cool.SMClockMHz == nil || cool.SMClockMHz.Median != 1980 || cool.ThrottlePct != 0 {
		t.Errorf("GPU 1 %+v, want 1,980 MHz unthrottled", cool)
	}
	checkNoSim(t, port)
}

// TestRunAsksNvidiaSMIOnce: the throttle-reasons field is asked once a
// sweep, then each point runs nvidia-smi's loop alone; the loops end with
// their points.
func TestRunAsksNvidiaSMIOnce(t *testing.T) {
	path, rows := fakeNvidiaSMIPath(t, "telemetry-h100x2-steady.csv")
	t.Setenv("PATH", path)
	t.Setenv("FAKE_NVIDIA_SMI_TELEMETRY", rows)
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	t.Setenv("FAKE_NVIDIA_SMI_LOG", calls)
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "once", port: port, out: out, speed: "5", conc: "[2, 4, 8]", nump: "[48]", olen: "[32]"})
	if code, _, stderr := cli(t, nil, "run", "-c", cfg); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	var machine, query, loops, host int
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		switch {
		case strings.Contains(line, "name,driver_version,memory.total"):
			machine++
		case strings.Contains(line, "-lms 500"):
			loops++
		case strings.HasPrefix(line, "--query-gpu=index,uuid --") || strings.HasPrefix(line, "--query-compute-apps="):
			host++ // the host probe's GPUs and their processes, each point
		default:
			query++
		}
	}
	if machine != 1 || query != 1 || loops != 3 || host != 6 {
		t.Errorf("nvidia-smi ran %d times for the machine, %d for the reasons field, %d loops, %d for the GPUs' processes; want 1, 1, 3, 6:\n%s", machine, query, loops, host, data)
	}
	files, _ := filepath.Glob(filepath.Join(out, "once_*.json"))
	if len(files) != 3 {
		t.Fatalf("result files %v, want 3", files)
	}
	for _, f := range files {
		if g := checkComplete(t, f, "once").VllmBench.GPUTelemetry; g == nil || len(g.GPUs) != 2 || g.GPUs[0].Samples < 1 {
			t.Errorf("%s: gpu_telemetry %+v, want both GPUs sampled", filepath.Base(f), g)
		}
	}
	checkNoSim(t, port)
}

// probeActionConfig writes a one-point simulator config whose gate section
// is gateYAML; extra holds simulator flags (a fault).
func probeActionConfig(t *testing.T, dir string, port int, gateYAML string, extra ...string) string {
	t.Helper()
	args := append([]string{"--sim-speedup", "5", "--sim-load-time", "0.1"}, extra...)
	cfg := fmt.Sprintf(`runs:
  - name: probe-e2e
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: %d
      max_model_len: 2048
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: [%s]
      startup_timeout: 1m
    bench:
      output_dir: %s
      context_size: [500]
      concurrency: [8]
      num_prompts: [48]
      output_len: [32]
%s`, port, yamlFlow(args), filepath.Join(dir, "results"), gateYAML)
	path := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestActionHintsAndThrottledPoints: against a baseline measured with
// steady GPUs and the default KV budget, a small KV budget regresses with
// a hint naming preemptions in the PR comment; a thermally throttled GPU
// with a slowdown marks the point suspect and, with on_throttle: warn,
// keeps the check green with a warning; on_throttle: fail fails it.
func TestActionHintsAndThrottledPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs several sweeps")
	}
	bin := buildBinary(t)
	api := githubtest.New(t)
	const token = "ghs_probetoken456"
	api.RequireToken(token)
	dir := t.TempDir()
	port := runTestPort(t)
	baselines := filepath.Join(dir, "baselines")
	event, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "github", "pull_request_opened.json"))
	path, steady := fakeNvidiaSMIPath(t, "telemetry-h100x2-steady.csv")
	_, thermal := fakeNvidiaSMIPath(t, "telemetry-h100x2-thermal.csv")
	vars := func(config, telemetry string) map[string]string {
		return map[string]string{
			"PATH": path, "FAKE_NVIDIA_SMI_TELEMETRY": telemetry,
			"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
			"GITHUB_REPOSITORY": "acme-ml/llm-serving", "GITHUB_API_URL": api.URL,
			"INPUT_CONFIG": config, "INPUT_BASELINES": baselines, "INPUT_GITHUB-TOKEN": token,
			"INPUT_COMMENT": "always", "INPUT_FAIL-ON-REGRESSION": "true", "INPUT_MODE": "all",
			"INPUT_TOLERANCE": "0.3", // sped-up timings jitter; the faults below are far larger
		}
	}
	// One sticky comment per config, found by its marker.
	comment := func(config string) string {
		marker := "<!-- vllm-bench-action:" + config + " -->"
		for _, c := range api.Comments("acme-ml", "llm-serving", 42) {
			if strings.Contains(c.Body, marker) {
				return c.Body
			}
		}
		t.Fatalf("no comment with the marker %q", marker)
		return ""
	}

	base := runAction(t, bin, vars(probeActionConfig(t, dir, port, ""), steady))
	if base.code != 0 {
		t.Fatalf("baseline run: exit %d\n%s\n%s", base.code, base.stdout, base.stderr)
	}
	if code, _, stderr := cli(t, nil, "baseline", "update", "--results", filepath.Join(dir, "results"), "--baselines", baselines); code != 0 {
		t.Fatalf("baseline update: exit %d: %s", code, stderr)
	}

	config := probeActionConfig(t, t.TempDir(), port, "", "--sim-kv-tokens", "2048")
	kv := runAction(t, bin, vars(config, steady))
	body := comment(config)
	if kv.code != 1 || !strings.Contains(body, "❌ regression") || !strings.Contains(body, "preemptions 0 -> ") {
		t.Errorf("small KV budget: exit %d, want 1 and a regression whose hint names preemptions; comment:\n%s", kv.code, body)
	}

	config = probeActionConfig(t, t.TempDir(), port, "", "--sim-slowdown", "2")
	throttled := runAction(t, bin, vars(config, thermal))
	body = comment(config)
	for _, want := range []string{"🌡️ suspect", "GPU 0 throttled (thermal)", "SM clock median", "a warning, not a failure (gate.on_throttle: warn)", "## ⚠️ 1 regression on a throttled GPU"} {
		if !strings.Contains(body, want) {
			t.Errorf("throttled run: comment lacks %q:\n%s", want, body)
		}
	}
	if throttled.code != 0 || !strings.Contains(throttled.stdout, "::warning") || !strings.Contains(throttled.output, "pass") {
		t.Errorf("throttled run with on_throttle warn: exit %d, want 0 with a ::warning and verdict pass\nstdout:\n%s\noutput:\n%s", throttled.code, throttled.stdout, throttled.output)
	}

	config = probeActionConfig(t, t.TempDir(), port, "    gate:\n      on_throttle: fail\n", "--sim-slowdown", "2")
	strict := runAction(t, bin, vars(config, thermal))
	if body := comment(config); strict.code != 1 || !strings.Contains(body, "its regression fails the check (gate.on_throttle: fail)") {
		t.Errorf("throttled run with on_throttle fail: exit %d, want 1; comment:\n%s", strict.code, body)
	}
	checkNoSim(t, port)
}
