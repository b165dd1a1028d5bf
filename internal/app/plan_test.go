package app

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

const seedConfig = "../../examples/seed-llama2-7b.yaml"

func TestPlanGolden(t *testing.T) {
	// Without vllm on PATH the argv assumes a recent vLLM; with it, the
	// request-log flag could differ, so the golden needs an empty PATH.
	t.Setenv("PATH", "")
	for _, format := range []string{"text", "json"} {
		// On a GitHub runner the compile cache defaults to the tool cache.
		vars := map[string]string{"RUNNER_TOOL_CACHE": "/opt/hostedtoolcache"}
		code, stdout, stderr := cli(t, vars, "plan", "-c", seedConfig, "--format", format)
		if code != ExitOK {
			t.Fatalf("plan --format %s: exit %d: %s", format, code, stderr)
		}
		golden(t, "plan/seed."+format, stdout)
	}
}

func TestPlanSeedMustShow(t *testing.T) {
	t.Setenv("PATH", "")
	_, stdout, _ := cli(t, nil, "plan", "-c", seedConfig, "--format", "json")
	var plan struct {
		Servers []planServer `json:"servers"`
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Servers) != 1 {
		t.Fatalf("%d servers, want 1", len(plan.Servers))
	}
	s := plan.Servers[0]
	want := []string{
		"my-benchmark_TP1_DP1_CTX512_C50_P100_O128.json", "my-benchmark_TP1_DP1_CTX512_C100_P100_O128.json",
		"my-benchmark_TP1_DP1_CTX1024_C50_P100_O128.json", "my-benchmark_TP1_DP1_CTX1024_C100_P100_O128.json",
		"my-benchmark_TP1_DP1_CTX2048_C50_P100_O128.json", "my-benchmark_TP1_DP1_CTX2048_C100_P100_O128.json",
	}
	if strings.Join(s.Results, " ") != strings.Join(want, " ") {
		t.Errorf("results = %v, want %v", s.Results, want)
	}
	argv := strings.Join(s.Argv, " ")
	if !strings.HasPrefix(argv, "vllm serve meta-llama/Llama-2-7b-hf ") {
		t.Errorf("argv %q does not start with vllm serve MODEL", argv)
	}
	for _, f := range []string{"--port 8000", "--tensor-parallel-size 1", "--gpu-memory-utilization 0.9", "--max-model-len 4096", "--max-num-seqs 256", "--dtype bfloat16"} {
		if !strings.Contains(argv, f) {
			t.Errorf("argv %q lacks %q", argv, f)
		}
	}
}

func TestPlanMatrix(t *testing.T) {
	code, stdout, stderr := cli(t, nil, "plan", "-c", "../../examples/quickstart-tp-dp.yaml", "--format", "json", "--shards", "2")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Errorf("the matrix must be one line for $GITHUB_OUTPUT, got:\n%s", stdout)
	}
	var m struct {
		Include []map[string]string `json:"include"`
	}
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Include) != 2 || m.Include[0]["shard"] != "1/2" || m.Include[1]["shard"] != "2/2" {
		t.Errorf("matrix = %v", m.Include)
	}
}

func TestCLIErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"plan", "--frob"}, "vllm-bench plan: flag provided but not defined: -frob"},
		{[]string{"plan"}, "-c CONFIG is required"},
		{[]string{"plan", "-c", seedConfig, "--format", "xml"}, `--format: must be text or json, got "xml"`},
		{[]string{"plan", "-c", seedConfig, "--shard", "3/2"}, "--shard: shard must be i/n"},
		{[]string{"plan", "-c", seedConfig, "--engine", "tgi"}, `--engine: must be one of vllm, sglang, sim, got "tgi"`},
		{[]string{"plan", "-c", seedConfig, "--run", "nope"}, `--run: no run named "nope"`},
		{[]string{"validate", "-c", "../../testdata/config/three-mistakes.yaml"}, "three-mistakes.yaml:7: runs[0].serve.gpu_memory_utilization"},
		{[]string{"validate", "-c", "missing.yaml"}, `config file "missing.yaml" not found`},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, nil, tt.args...)
		if code != ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if code, stdout, _ := cli(t, nil, "validate", "-c", seedConfig); code != ExitOK || !strings.Contains(stdout, "ok (1 run, 1 server, 6 points; estimated ") {
		t.Errorf("validate seed: exit %d, %q", code, stdout)
	}
}
