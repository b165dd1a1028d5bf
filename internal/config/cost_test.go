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

func TestParsePrecision(t *testing.T) {
	src := func(bench string) string {
		return `runs:
  - name: r
    engine: sim
    serve:
      model_path: org/model
      tp_dp_pairs: [{tp: 1}]
    bench:
      context_size: [512]
      concurrency: [4]
      num_prompts: [400]
      output_len: [16]
` + bench
	}
	cfg, err := Parse("c.yaml", []byte(src("      precision: 0.02\n")))
	if err != nil {
		t.Fatal(err)
	}
	if b := cfg.Runs[0].Bench; b.Precision != (Precision{Value: 0.02}) || b.MinPrompts != DefaultMinPrompts {
		t.Errorf("precision %v, min_prompts %d; want 0.02 and the default %d", b.Precision, b.MinPrompts, DefaultMinPrompts)
	}
	if cfg, err = Parse("c.yaml", []byte(src("      precision: auto\n"))); err != nil || cfg.Runs[0].Bench.Precision != (Precision{Auto: true}) {
		t.Errorf("auto: precision %+v, err %v; want auto", cfg.Runs[0].Bench.Precision, err)
	} else if s := cfg.Runs[0].Bench.Precision.String(); s != "auto" {
		t.Errorf("auto prints as %q", s)
	}
	if cfg, err = Parse("c.yaml", []byte(src(""))); err != nil || cfg.Runs[0].Bench.Precision.On() {
		t.Errorf("left out: precision %v, err %v; want off", cfg.Runs[0].Bench.Precision, err)
	}
	for _, tt := range []struct{ bench, want string }{
		{"      precision: 0\n", "c.yaml:12: runs[0].bench.precision: must be in (0, 1)"},
		{"      precision: 1.5\n", "c.yaml:12: runs[0].bench.precision: must be in (0, 1)"},
		{"      precision: Auto\n", `c.yaml:12: runs[0].bench.precision: expected a number such as 0.02 or auto, got "Auto"`},
		{"      precision: [0.02]\n", "c.yaml:12: runs[0].bench.precision: expected a number such as 0.02 or auto, got a list"},
		{"      precision: 0.02\n      min_prompts: 0\n", "c.yaml:13: runs[0].bench.min_prompts: must be >= 1, got 0"},
		{"      min_prompts: 100\n", "c.yaml:12: runs[0].bench.min_prompts: only used with bench.precision"},
	} {
		t.Run(strings.TrimSpace(tt.bench), func(t *testing.T) {
			assertErrors(t, src(tt.bench), []string{tt.want})
		})
	}
}
