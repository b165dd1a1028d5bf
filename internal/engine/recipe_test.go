package engine

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

func seedRun(engine config.Engine) *config.Run {
	return &config.Run{
		Name:   "my-benchmark",
		Engine: engine,
		Serve: config.Serve{
			ModelPath: "meta-llama/Llama-2-7b-hf", Port: 8000, GPUMemoryUtilization: 0.9,
			MaxModelLen: 4096, MaxNumSeqs: 256, Dtype: "bfloat16", DisableLogRequests: ptr(true),
		},
	}
}

func TestBuildArgv(t *testing.T) {
	pair := config.Parallel{TP: 2, DP: 1, PP: 1}
	const vllmFlags = "meta-llama/Llama-2-7b-hf --port 8000 --tensor-parallel-size 2 --data-parallel-size 1 --pipeline-parallel-size 1 --gpu-memory-utilization 0.9 --max-model-len 4096 --max-num-seqs 256 --dtype bfloat16"
	tests := []struct {
		name    string
		run     func() *config.Run
		version string
		want    string
	}{
		{"vllm new, logging off", func() *config.Run { return seedRun("vllm") }, "0.11.0", "vllm serve " + vllmFlags},
		{"vllm old, logging off", func() *config.Run { return seedRun("vllm") }, "0.9.2", "vllm serve " + vllmFlags + " --disable-log-requests"},
		{"vllm new, logging on", func() *config.Run {
			r := seedRun("vllm")
			r.Serve.DisableLogRequests = ptr(false)
			return r
		}, "0.10.1", "vllm serve " + vllmFlags + " --enable-log-requests"},
		{"vllm old, logging on", func() *config.Run {
			r := seedRun("vllm")
			r.Serve.DisableLogRequests = ptr(false)
			return r
		}, "0.10.0", "vllm serve " + vllmFlags},
		{"vllm, request logging left to the server", func() *config.Run {
			r := seedRun("vllm")
			r.Serve.DisableLogRequests = nil
			return r
		}, "0.9.0", "vllm serve " + vllmFlags},
		{"vllm expert parallel, ray, extra args", func() *config.Run {
			r := seedRun("vllm")
			r.Serve.EnableExpertParallel = true
			r.Serve.DistributedExecutorBackend = "ray"
			r.Serve.ExtraArgs = []string{"--enforce-eager"}
			return r
		}, "", "vllm serve " + vllmFlags + " --enable-expert-parallel --distributed-executor-backend ray --enforce-eager"},
		{"vllm custom command", func() *config.Run {
			r := seedRun("vllm")
			r.Serve.Command = []string{"python3", "-m", "vllm.entrypoints.openai.api_server", "--model"}
			return r
		}, "", "python3 -m vllm.entrypoints.openai.api_server --model " + vllmFlags},
		{"sim", func() *config.Run { return seedRun("sim") }, "", "/bin/vllm-bench sim " + vllmFlags},
		{"custom: only the template's flags, then extra args", func() *config.Run {
			r := seedRun(config.EngineCustom)
			r.Serve.Command = []string{"my-server", "serve"}
			r.Serve.Args = []string{"{model}", "--port", "{port}", "--tp={tp}"}
			r.Serve.ExtraArgs = []string{"--quiet"}
			return r
		}, "", "my-server serve meta-llama/Llama-2-7b-hf --port 8000 --tp=2 --quiet"},
		{"sglang", func() *config.Run { return seedRun("sglang") }, "", "python3 -m sglang.launch_server --model-path meta-llama/Llama-2-7b-hf --port 8000 --tp 2 --dp 1 --pp-size 1 --mem-fraction-static 0.9 --context-length 4096 --max-running-requests 256 --dtype bfloat16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Build(tt.run(), pair, Options{Executable: "/bin/vllm-bench", VLLMVersion: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Argv, " "); got != tt.want {
				t.Errorf("argv:\n got %s\nwant %s", got, tt.want)
			}
			if r.BaseURL != "http://127.0.0.1:8000" || r.HealthPath != "/health" {
				t.Errorf("url %q health %q", r.BaseURL, r.HealthPath)
			}
		})
	}
}

func TestBuildExternalAndEnv(t *testing.T) {
	run := &config.Run{Name: "x", Engine: "external", Serve: config.Serve{
		BaseURL: "http://gpu-box:8000", Env: map[string]string{"B": "2", "A": "1"},
	}}
	r, err := Build(run, config.Parallel{TP: 1, DP: 1, PP: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Argv) != 0 || r.BaseURL != "http://gpu-box:8000" || r.Port != 0 {
		t.Errorf("external recipe = %+v", r)
	}
	if strings.Join(r.Env, ",") != "A=1,B=2" {
		t.Errorf("env = %v, want sorted A=1,B=2", r.Env)
	}
	if _, err := Build(seedRun("sim"), config.Parallel{TP: 1, DP: 1, PP: 1}, Options{}); err == nil {
		t.Error("sim without an executable path succeeded")
	}
	custom := seedRun(config.EngineCustom)
	custom.Serve.Command, custom.Serve.Args = []string{"my-server"}, []string{"{nope}"}
	if _, err := Build(custom, config.Parallel{TP: 1, DP: 1, PP: 1}, Options{}); err == nil || !strings.Contains(err.Error(), "serve.args[0]: unknown placeholder {nope}") {
		t.Errorf("custom with an unknown placeholder: err = %v", err)
	}
}

func TestBefore(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"0.10.0", true}, {"0.10.1", false}, {"0.9.2.post1", true}, {"0.11.0rc1", false},
		{"vllm 0.6.3.post1", true}, {"", false}, {"garbage", false}, {"1.0", false}, {"0.10", true},
	}
	for _, tt := range tests {
		if got := before(tt.version, [3]int{0, 10, 1}); got != tt.want {
			t.Errorf("before(%q, 0.10.1) = %v, want %v", tt.version, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
