package config

import (
	"slices"
	"strings"
	"testing"
)

// customRun is a valid engine custom run: a launcher that takes only the
// model and the port.
const customRun = `runs:
  - name: fork
    engine: custom
    serve:
      model_path: org/model
      port: 8300
      command: [my-server, serve]
      args: ["{model}", --port, "{port}", "--tp={tp}", "--max-len={max_model_len}"]
      tp_dp_pairs: [{tp: 2}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`

func TestParseCustomEngine(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(customRun))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Runs[0].Serve
	got, err := s.ExpandArgs(s.TPDPPairs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"org/model", "--port", "8300", "--tp=2"}; !slices.Equal(got, want) {
		t.Errorf("args = %q, want %q (max_model_len unset drops its item)", got, want)
	}
	if slices.Contains(LaunchedEngines(), EngineCustom) {
		t.Error("runs can be moved onto engine custom, which needs its own command")
	}
}

func TestParseCustomEngineErrors(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"no command", "      command: [my-server, serve]\n", "", "c.yaml:4: runs[0].serve.command: required with engine custom"},
		{"unknown placeholder", `"{model}", --port`, `"{modle}", --port`, "c.yaml:8: runs[0].serve.args[0]: unknown placeholder {modle}"},
		{"dangling flag", `"--max-len={max_model_len}"`, `--max-len, "{max_model_len}"`, "c.yaml:8: runs[0].serve.args[5]: {max_model_len} is unset, which would leave --max-len without its value"},
		{"vLLM-only key", "      port: 8300\n", "      port: 8300\n      enable_expert_parallel: true\n", "c.yaml:7: runs[0].serve.enable_expert_parallel: not passed with engine custom; write the server's own flag in serve.args"},
		{"args on vllm", "engine: custom", "engine: vllm", `c.yaml:8: runs[0].serve.args: only used with engine custom (this run's engine is "vllm")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(customRun, c.from, c.to, 1)
			if src == customRun {
				t.Fatalf("%q not found", c.from)
			}
			assertErrors(t, src, []string{c.want})
		})
	}
}

// TestParseExternalRejectsIgnoredKeys checks that engine external refuses
// the keys that only shape a started server, each at its line, and keeps
// those it uses.
func TestParseExternalRejectsIgnoredKeys(t *testing.T) {
	src := `runs:
  - name: ext
    engine: external
    serve:
      model_path: org/model
      base_url: http://127.0.0.1:8000
      max_model_len: 4096
      startup_timeout: 30s
      tp_dp_pairs: [{tp: 8}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`
	if _, err := Parse("c.yaml", []byte(src)); err != nil {
		t.Fatalf("the keys external uses: %v", err)
	}
	for _, key := range externalIgnores {
		value := map[string]string{"disable_log_requests": "true", "enable_expert_parallel": "true", "command": "[vllm, serve]",
			"args": "[x]", "extra_args": "[x]", "env": "{A: b}", "dtype": "half", "distributed_executor_backend": "ray",
			"gpu_memory_utilization": "0.5"}[key]
		if value == "" {
			value = "7"
		}
		bad := strings.Replace(src, "      max_model_len: 4096\n", "      max_model_len: 4096\n      "+key+": "+value+"\n", 1)
		want := "c.yaml:8: runs[0].serve." + key + ": not used with engine external, which starts no server"
		t.Run(key, func(t *testing.T) {
			assertErrors(t, bad, []string{want})
			_, err := Parse("c.yaml", []byte(bad))
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
				t.Errorf("%d problems, want only the rejection:\n%v", n, err)
			}
		})
	}
}
