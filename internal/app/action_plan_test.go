package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionPlanMode checks that mode plan sets the matrix output to what
// `plan --format json --shards N` prints, and runs nothing.
func TestActionPlanMode(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "planned", port: runTestPort(t), out: out, pairs: "[{tp: 1}, {tp: 2}]"})
	code, want, stderr := cli(t, nil, "plan", "-c", cfg, "--format", "json", "--shards", "2")
	if code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	outFile := filepath.Join(dir, "output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"GITHUB_OUTPUT": outFile, "INPUT_CONFIG": cfg, "INPUT_MODE": "plan", "INPUT_SHARDS": "2"}
	code, stdout, stderr := cli(t, vars, "action")
	if code != ExitOK {
		t.Fatalf("action: exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(outFile)
	lines := strings.Split(string(got), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "matrix<<") || lines[1] != strings.TrimSpace(want) {
		t.Errorf("GITHUB_OUTPUT:\n%s\nwant matrix set to %s", got, want)
	}
	if strings.Contains(stdout, "::warning") {
		t.Errorf("warnings for 2 shards of 2 servers:\n%s", stdout)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("mode plan ran the sweep")
	}

	// More shards than servers: still a matrix, with a warning.
	vars["INPUT_SHARDS"] = "3"
	code, stdout, _ = cli(t, vars, "action")
	if code != ExitOK || !strings.Contains(stdout, "::warning::3 shards for 2 server configurations: shard 3/3 runs nothing") {
		t.Errorf("3 shards: exit %d, stdout:\n%s", code, stdout)
	}
}

func TestActionPlanModeInputs(t *testing.T) {
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"INPUT_MODE": "plan"}, `input "shards": is required with mode: plan`},
		{map[string]string{"INPUT_MODE": "plan", "INPUT_SHARDS": "0"}, `input "shards": must be a whole number of shards >= 1, got "0"`},
		{map[string]string{"INPUT_MODE": "plan", "INPUT_SHARDS": "2", "INPUT_SHARD": "1/2"}, `input "shard": is not used with mode: plan`},
		{map[string]string{"INPUT_MODE": "run", "INPUT_SHARDS": "2"}, `input "shards": is only used with mode: plan`},
	}
	for _, c := range cases {
		c.vars["INPUT_CONFIG"] = "c.yaml"
		c.vars["GITHUB_OUTPUT"] = filepath.Join(t.TempDir(), "output")
		code, stdout, _ := cli(t, c.vars, "action")
		if code != ExitInvalid || !strings.Contains(stdout, "::error::"+c.want) {
			t.Errorf("%v: exit %d, stdout:\n%s\nwant the error %q", c.vars, code, stdout, c.want)
		}
	}
}
