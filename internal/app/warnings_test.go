package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes src to DIR/c.yaml and returns its path.
func writeConfig(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// warnRun is a valid vLLM config with one server configuration; its
// sizes are replaced by the tests.
const warnRun = `runs:
  - name: big
    serve:
      model_path: m
      tp_dp_pairs: [{tp: 2}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`

// fakeNvidiaSMI puts an nvidia-smi on PATH that prints the given testdata
// listing.
func fakeNvidiaSMI(t *testing.T, listing string) {
	t.Helper()
	data, err := filepath.Abs(filepath.Join("..", "..", "testdata", "nvidia-smi", listing))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\nexec cat '" + data + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
}

func TestValidateWarnsOnSizes(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(warnRun, "num_prompts: [10]", "num_prompts: [10, 2000000]", 1))
	for _, cmd := range []string{"validate", "plan"} {
		code, _, stderr := cli(t, nil, cmd, "-c", cfg)
		want := "warning: " + cfg + ":9: runs[0].bench.num_prompts[1]: 2000000 prompts is above 1000000; is that meant?\n"
		if code != ExitOK || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant the line %q", cmd, code, stderr, want)
		}
	}
}

func TestValidateWarnsOnGPUs(t *testing.T) {
	fakeNvidiaSMI(t, "a100x1.csv")
	cfg := writeConfig(t, warnRun)
	code, _, stderr := cli(t, nil, "validate", "-c", cfg)
	want := "warning: " + cfg + ":5: runs[0].serve.tp_dp_pairs[0]: tp 2 x dp 1 x pp 1 needs 2 GPUs, but nvidia-smi reports 1 on this machine\n"
	if code != ExitOK || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant the line %q", code, stderr, want)
	}
	// On the simulator the layout uses no GPU.
	if _, _, stderr := cli(t, nil, "plan", "-c", cfg, "--engine", "sim"); strings.Contains(stderr, "warning") {
		t.Errorf("plan --engine sim warned:\n%s", stderr)
	}
	// Enough GPUs: no warning.
	fakeNvidiaSMI(t, "h100x8.csv")
	if _, _, stderr := cli(t, nil, "validate", "-c", cfg); strings.Contains(stderr, "warning") {
		t.Errorf("8 GPUs for tp 2 warned:\n%s", stderr)
	}
}

func TestPlanShards(t *testing.T) {
	cfg := writeConfig(t, warnRun)
	code, _, stderr := cli(t, nil, "plan", "-c", cfg, "--shards", "0")
	if code != ExitInvalid || !strings.Contains(stderr, "--shards: must be >= 1") {
		t.Errorf("--shards 0: exit %d, stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := cli(t, nil, "plan", "-c", cfg, "--shards", "3", "--format", "json")
	if code != ExitOK {
		t.Fatalf("--shards 3: exit %d\n%s", code, stderr)
	}
	if want := "warning: 3 shards for 1 server configuration: shards 2/3 to 3/3 run nothing\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr:\n%s\nwant %q", stderr, want)
	}
	var matrix struct{ Include []map[string]string }
	if err := json.Unmarshal([]byte(stdout), &matrix); err != nil || len(matrix.Include) != 3 {
		t.Errorf("matrix %q (%v), want 3 shards", stdout, err)
	}
	if _, _, stderr := cli(t, nil, "plan", "-c", cfg, "--shards", "1"); strings.Contains(stderr, "warning") {
		t.Errorf("--shards 1 warned:\n%s", stderr)
	}
}

func TestShardWarning(t *testing.T) {
	for _, c := range []struct {
		shards, servers int
		want            string
	}{
		{2, 2, ""},
		{1, 3, ""},
		{3, 2, "3 shards for 2 server configurations: shard 3/3 runs nothing"},
		{4, 1, "4 shards for 1 server configuration: shards 2/4 to 4/4 run nothing"},
	} {
		if got := shardWarning(c.shards, c.servers); got != c.want {
			t.Errorf("shardWarning(%d, %d) = %q, want %q", c.shards, c.servers, got, c.want)
		}
	}
}
