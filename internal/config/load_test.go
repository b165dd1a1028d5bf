package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validRun = `runs:
  - name: ok
    engine: sim
    serve:
      model_path: m
      max_model_len: 4096
      tp_dp_pairs: [{tp: 1, dp: 1}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(validRun))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Runs[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"port", r.Serve.Port, DefaultPort},
		{"gpu_memory_utilization", r.Serve.GPUMemoryUtilization, DefaultGPUMemoryUtilization},
		{"max_num_seqs", r.Serve.MaxNumSeqs, DefaultMaxNumSeqs},
		{"dtype", r.Serve.Dtype, DefaultDtype},
		{"pp", r.Serve.TPDPPairs[0].PP, 1},
		{"startup_timeout", r.Serve.StartupTimeout, DefaultStartupTimeout},
		{"output_dir", r.Bench.OutputDir, DefaultOutputDir},
		{"repeats", r.Bench.Repeats, DefaultRepeats},
		{"endpoint", r.Bench.Endpoint, DefaultEndpoint},
		{"burstiness", r.Bench.Burstiness, DefaultBurstiness},
		{"stall_timeout", r.Bench.StallTimeout, DefaultStallTimeout},
		{"gate.tolerance left out", r.Gate.Tolerance == nil, true},
		{"line", r.Line, 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseDurations(t *testing.T) {
	src := strings.Replace(validRun, "      max_model_len: 4096\n", "      max_model_len: 4096\n      startup_timeout: 90\n", 1)
	src = strings.Replace(src, "      output_len: [16]\n", "      output_len: [16]\n      request_timeout: 2m30s\n      stall_timeout: 45s\n", 1)
	cfg, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Runs[0].Serve.StartupTimeout; got != 90*time.Second {
		t.Errorf("startup_timeout = %v, want 90s (a bare number is seconds)", got)
	}
	if got := cfg.Runs[0].Bench.RequestTimeout; got != 150*time.Second {
		t.Errorf("request_timeout = %v, want 2m30s", got)
	}
	if got := cfg.Runs[0].Bench.StallTimeout; got != 45*time.Second {
		t.Errorf("stall_timeout = %v, want 45s", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		// edit replaces old with new in validRun.
		old, new string
		want     string // FILE:LINE: path: message fragment
	}{
		{"unknown key", "    engine: sim\n", "    engine: sim\n    colour: red\n", "c.yaml:4: runs[0].colour: unknown key"},
		{"wrong type", "concurrency: [4]", "concurrency: [four]", `c.yaml:10: runs[0].bench.concurrency[0]: expected an integer, got "four"`},
		{"not a list", "concurrency: [4]", "concurrency: 4", `c.yaml:10: runs[0].bench.concurrency: expected a list, got "4"`},
		{"empty list", "num_prompts: [10]", "num_prompts: []", "c.yaml:11: runs[0].bench.num_prompts: must list at least one value"},
		{"non-positive size", "concurrency: [4]", "concurrency: [4, 0]", "c.yaml:10: runs[0].bench.concurrency[1]: must be >= 1, got 0"},
		{"gpu memory above 1", "      model_path: m\n", "      model_path: m\n      gpu_memory_utilization: 1.2\n", "c.yaml:6: runs[0].serve.gpu_memory_utilization: must be in (0, 1], got 1.2"},
		{"gpu memory zero", "      model_path: m\n", "      model_path: m\n      gpu_memory_utilization: 0\n", "c.yaml:6: runs[0].serve.gpu_memory_utilization: must be in (0, 1], got 0"},
		{"port zero", "      model_path: m\n", "      model_path: m\n      port: 0\n", "c.yaml:6: runs[0].serve.port: must be between 1 and 65535, got 0"},
		{"unknown dtype", "      model_path: m\n", "      model_path: m\n      dtype: fp12\n", `c.yaml:6: runs[0].serve.dtype: must be one of auto, half, float16, bfloat16, float, float32, got "fp12"`},
		{"invalid name", "name: ok", "name: my run", `c.yaml:2: runs[0].name: must use only letters, digits, '.', '_' and '-' (it names files), got "my run"`},
		{"missing name", "  - name: ok\n", "  - name: \"\"\n", "c.yaml:2: runs[0].name: required"},
		{"context too long", "context_size: [512]", "context_size: [512, 4090]", "c.yaml:9: runs[0].bench.context_size[1]: context_size 4090 + output_len 16 = 4106 exceeds serve.max_model_len 4096"},
		{"external without base_url", "engine: sim", "engine: external", "c.yaml:4: runs[0].serve.base_url: required with engine external"},
		{"base_url on vllm", "      model_path: m\n", "      model_path: m\n      base_url: http://x:1\n", `c.yaml:6: runs[0].serve.base_url: only used with engine external (this run's engine is "sim")`},
		{"bad duration", "      model_path: m\n", "      model_path: m\n      startup_timeout: soon\n", `c.yaml:6: runs[0].serve.startup_timeout: expected a positive duration like 90s or 20m, got "soon"`},
		{"bad stall timeout", "      output_len: [16]\n", "      output_len: [16]\n      stall_timeout: -5s\n", `c.yaml:13: runs[0].bench.stall_timeout: expected a positive duration like 90s or 20m, got "-5s"`},
		{"unknown engine", "engine: sim", "engine: tgi", `c.yaml:3: runs[0].engine: must be one of vllm, sglang, sim, custom, external, got "tgi"`},
		{"tp zero", "{tp: 1, dp: 1}", "{tp: 0, dp: 1}", "c.yaml:7: runs[0].serve.tp_dp_pairs[0].tp: must be >= 1, got 0"},
		{"duplicate layout", "{tp: 1, dp: 1}]", "{tp: 1, dp: 1}, {tp: 1, dp: 1, pp: 1}]", "c.yaml:7: runs[0].serve.tp_dp_pairs[1]: duplicate layout tp=1 dp=1 pp=1"},
		{"unknown goodput", "      output_len: [16]\n", "      output_len: [16]\n      goodput: {ttfb_ms: 3}\n", "c.yaml:13: runs[0].bench.goodput.ttfb_ms: unknown SLO"},
		{"bad endpoint", "      output_len: [16]\n", "      output_len: [16]\n      endpoint: embeddings\n", `c.yaml:13: runs[0].bench.endpoint: must be one of completions, chat, got "embeddings"`},
		{"repeats zero", "      output_len: [16]\n", "      output_len: [16]\n      repeats: 0\n", "c.yaml:13: runs[0].bench.repeats: must be >= 1, got 0"},
		{"bool as string", "      model_path: m\n", "      model_path: m\n      enable_expert_parallel: maybe\n", `c.yaml:6: runs[0].serve.enable_expert_parallel: expected true or false, got "maybe"`},
		{"duplicate value", "concurrency: [4]", "concurrency: [4, 8, 4]", "c.yaml:10: runs[0].bench.concurrency[2]: 4 is listed twice (also at [0])"},
		{"duplicate key", "      model_path: m\n", "      model_path: m\n      model_path: n\n", "c.yaml:6: runs[0].serve.model_path: key given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validRun, tt.old) {
				t.Fatalf("test edit %q does not apply", tt.old)
			}
			_, err := Parse("c.yaml", []byte(strings.Replace(validRun, tt.old, tt.new, 1)))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.List) != 1 {
				t.Errorf("want exactly one problem, got:\n%v", err)
			}
		})
	}
}

func TestParseDuplicateRunNames(t *testing.T) {
	src := validRun + strings.TrimPrefix(validRun, "runs:\n")
	_, err := Parse("c.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `c.yaml:13: runs[1].name: duplicate run name "ok" (first used by runs[0])`) {
		t.Fatalf("got %v", err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "config", "three-mistakes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("three-mistakes.yaml", data)
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want *Errors", err)
	}
	want := []string{
		"three-mistakes.yaml:7: runs[0].serve.gpu_memory_utilization: must be in (0, 1], got 1.5",
		"three-mistakes.yaml:15: runs[0].bench.concurrency[1]: must be >= 1, got 0",
		"three-mistakes.yaml:17: runs[0].bench.warmup: unknown key",
	}
	if len(errs.List) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(errs.List), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs.List[i].Error(), w) {
			t.Errorf("problem %d = %q, want prefix %q", i, errs.List[i].Error(), w)
		}
	}
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), "not found"},
		{"empty", write("empty.yaml", "\n  \n"), "the file is empty"},
		{"comments only", write("comments.yaml", "# nothing\n"), "only comments"},
		{"no runs", write("norun.yaml", "runs: []\n"), "no runs"},
		{"not a mapping", write("list.yaml", "- a\n- b\n"), "expected a mapping of keys"},
		{"bad yaml", write("bad.yaml", "runs:\n  - name: [\n"), "bad.yaml:2: invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestExamplesAreValid(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	if len(paths) == 0 {
		t.Fatal("no example configs found")
	}
	for _, p := range paths {
		if _, err := Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(validRun))
	f.Add([]byte("runs: [{name: a, serve: {tp_dp_pairs: [{tp: 1}]}}]"))
	f.Add([]byte("runs:\n  - &a {name: x}\n  - *a\n"))
	f.Add([]byte(anchored))
	f.Add([]byte(customRun))
	f.Add([]byte("runs:\n\t- name: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.yaml", data)
		if err == nil && len(cfg.Runs) == 0 {
			t.Fatal("a valid config must have runs")
		}
	})
}

func TestParseInvalidUTF8NamesTheLine(t *testing.T) {
	src := strings.Replace(validRun, "model_path: m", "model_path: m\xe9t", 1)
	_, err := Parse("c.yaml", []byte(src))
	want := "c.yaml:5: invalid UTF-8: byte 0xe9 at column 20 is not UTF-8 text; save the file as UTF-8"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
