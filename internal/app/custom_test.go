package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// writeCustomConfig writes a config whose engine custom launcher is this
// test binary's simulator, given only the model and the port by the
// template (the sim flags are extra_args).
func writeCustomConfig(t *testing.T, dir string, port int) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`runs:
  - name: launcher
    engine: custom
    serve:
      model_path: org/custom-model
      port: %d
      startup_timeout: 1m
      command: [%s, sim]
      args: ["{model}", --port, "{port}"]
      extra_args: [--sim-speedup, "10"]
      tp_dp_pairs: [{tp: 1}]
    bench:
      output_dir: %s
      context_size: [64]
      concurrency: [2, 4]
      num_prompts: [8]
      output_len: [8]
`, port, strconv.Quote(exe), strconv.Quote(filepath.Join(dir, "results")))
	path := filepath.Join(dir, "custom.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunCustomEngine runs a sweep on an engine custom server: the
// simulator started through a template that passes only {model} and
// --port {port}, with the same lifecycle as vLLM (health, points, stop).
func TestRunCustomEngine(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	cfg := writeCustomConfig(t, dir, port)

	code, stdout, stderr := cli(t, nil, "plan", "-c", cfg, "--format", "json")
	if code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	var plan struct{ Servers []planServer }
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	wantArgv := []string{exe, "sim", "org/custom-model", "--port", strconv.Itoa(port), "--sim-speedup", "10"}
	if len(plan.Servers) != 1 || !slices.Equal(plan.Servers[0].Argv, wantArgv) {
		t.Fatalf("plan servers %+v, want one with argv %q", plan.Servers, wantArgv)
	}

	code, stdout, stderr = cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, name := range plan.Servers[0].Results {
		f, err := results.Read(filepath.Join(plan.Servers[0].OutputDir, name))
		if err != nil {
			t.Fatal(err)
		}
		m := f.VllmBench
		if f.Completed != 8 || f.Failed != 0 || m.Engine != config.EngineCustom || !slices.Equal(m.ServerArgv, wantArgv) {
			t.Errorf("%s: completed %d failed %d engine %q argv %q", name, f.Completed, f.Failed, m.Engine, m.ServerArgv)
		}
		if f.ModelID != "org/custom-model" {
			t.Errorf("%s: model %q, want the served org/custom-model", name, f.ModelID)
		}
	}
	if n := len(plan.Servers[0].Results); n != 2 {
		t.Errorf("%d points planned, want 2", n)
	}
	checkNoSim(t, port)
}

// TestPlanCustomMovedToSim checks that --engine sim moves an engine custom
// run onto the simulator with vLLM's flags: the custom launcher and its
// template are not the simulator's.
func TestPlanCustomMovedToSim(t *testing.T) {
	dir := t.TempDir()
	cfg := writeCustomConfig(t, dir, 8123)
	code, stdout, stderr := cli(t, nil, "plan", "-c", cfg, "--format", "json", "--engine", "sim")
	if code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	var plan struct{ Servers []planServer }
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	if len(plan.Servers) != 1 || plan.Servers[0].Engine != config.EngineSim {
		t.Fatalf("servers %+v, want one on engine sim", plan.Servers)
	}
	argv := plan.Servers[0].Argv
	if len(argv) < 4 || argv[0] != exe || argv[1] != "sim" || !slices.Contains(argv, "--tensor-parallel-size") || slices.Contains(argv, "{model}") {
		t.Errorf("argv %q, want the simulator with vLLM's flags", argv)
	}
}
