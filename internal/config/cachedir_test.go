package config

import (
	"strings"
	"testing"
)

func TestParseCacheDir(t *testing.T) {
	src := func(engine, serve string) string {
		return `runs:
  - name: r
    engine: ` + engine + `
    serve:
      model_path: org/model
      tp_dp_pairs: [{tp: 1}]
` + serve + `    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
`
	}
	for _, tt := range []struct {
		engine, serve, want string
	}{
		{"vllm", "", ""},
		{"vllm", "      cache_dir: /mnt/cache\n", "/mnt/cache"},
		{"sim", "      cache_dir: none\n", "none"},
		{"vllm", "      env: {VLLM_CACHE_ROOT: /x}\n", ""},
	} {
		cfg, err := Parse("c.yaml", []byte(src(tt.engine, tt.serve)))
		if err != nil {
			t.Errorf("%s %q: %v", tt.engine, tt.serve, err)
			continue
		}
		if got := cfg.Runs[0].Serve.CacheDir; got != tt.want {
			t.Errorf("%s %q: cache_dir %q, want %q", tt.engine, tt.serve, got, tt.want)
		}
	}
	for _, tt := range []struct {
		engine, serve, want string
	}{
		{"vllm", "      cache_dir: \"\"\n", `c.yaml:7: runs[0].serve.cache_dir: must be a directory, or none`},
		{"vllm", "      cache_dir: /a\n      env: {VLLM_CACHE_ROOT: /b}\n", `c.yaml:7: runs[0].serve.cache_dir: serve.env also sets VLLM_CACHE_ROOT`},
		{"sglang", "      cache_dir: /a\n", `c.yaml:7: runs[0].serve.cache_dir: not passed to SGLang`},
	} {
		t.Run(tt.engine+strings.TrimSpace(tt.serve), func(t *testing.T) {
			assertErrors(t, src(tt.engine, tt.serve), []string{tt.want})
		})
	}
}
