package engine

import (
	"slices"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

func TestCacheDir(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name   string
		engine config.Engine
		dir    string
		serve  map[string]string
		getenv func(string) string
		want   string
	}{
		{"CLI default", "vllm", "", nil, env("HOME", "/home/u"), "/home/u/.cache/vllm-bench"},
		{"XDG cache", "vllm", "", nil, env("HOME", "/home/u", "XDG_CACHE_HOME", "/xdg"), "/xdg/vllm-bench"},
		{"runner tool cache", "sim", "", nil, env("HOME", "/home/u", "XDG_CACHE_HOME", "/xdg", "RUNNER_TOOL_CACHE", "/opt/hostedtoolcache"), "/opt/hostedtoolcache/vllm-bench"},
		{"given", "vllm", "/mnt/cache", nil, env("RUNNER_TOOL_CACHE", "/t"), "/mnt/cache"},
		{"home", "custom", "~/c", nil, env("HOME", "/home/u"), "/home/u/c"},
		{"none", "vllm", "none", nil, env("HOME", "/home/u"), ""},
		{"serve.env", "vllm", "", map[string]string{"VLLM_CACHE_ROOT": "/e"}, env("HOME", "/home/u"), "/e"},
		{"no home", "vllm", "", nil, env(), ""},
		{"sglang", "sglang", "", nil, env("HOME", "/home/u"), ""},
		{"external", "external", "", nil, env("HOME", "/home/u"), ""},
	}
	for _, tt := range tests {
		run := &config.Run{Engine: tt.engine, Serve: config.Serve{CacheDir: tt.dir, Env: tt.serve}}
		if got := CacheDir(run, tt.getenv); got != tt.want {
			t.Errorf("%s: CacheDir = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBuildPassesTheCacheDir(t *testing.T) {
	run := seedRun("vllm")
	run.Serve.CacheDir = "/mnt/cache"
	r, err := Build(run, config.Parallel{TP: 1, DP: 1, PP: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.CacheDir != "/mnt/cache" || !slices.Contains(r.Env, "VLLM_CACHE_ROOT=/mnt/cache") {
		t.Errorf("cache dir %q, env %q; want /mnt/cache passed as VLLM_CACHE_ROOT", r.CacheDir, r.Env)
	}
	run.Serve.CacheDir, run.Serve.Env = "", map[string]string{"VLLM_CACHE_ROOT": "/e"}
	if r, _ = Build(run, config.Parallel{TP: 1, DP: 1, PP: 1}, Options{}); r.CacheDir != "/e" || !slices.Equal(r.Env, []string{"VLLM_CACHE_ROOT=/e"}) {
		t.Errorf("cache dir %q, env %q; want serve.env's VLLM_CACHE_ROOT once", r.CacheDir, r.Env)
	}
}

func TestCacheKey(t *testing.T) {
	base := CacheKey([]string{"vllm", "serve", "m", "--port", "8000", "-tp", "2"})
	for _, tt := range []struct {
		argv []string
		same bool
	}{
		{[]string{"/tmp/go-build1/vllm-bench", "serve", "m", "--port", "9000", "-tp", "2"}, true},
		{[]string{"vllm", "serve", "m", "--port=8001", "-tp", "2"}, true},
		{[]string{"vllm", "serve", "m", "--port", "8000", "-tp", "4"}, false},
		{[]string{"vllm", "serve", "other", "--port", "8000", "-tp", "2"}, false},
	} {
		if got := CacheKey(tt.argv) == base; got != tt.same {
			t.Errorf("CacheKey(%q) equal to the base's: %v, want %v", tt.argv, got, tt.same)
		}
	}
}
