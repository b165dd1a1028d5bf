package config

import (
	"strings"
	"testing"
)

func TestWarnings(t *testing.T) {
	src := strings.Replace(validRun, "engine: sim", "engine: vllm", 1)
	src = strings.Replace(src, "tp_dp_pairs: [{tp: 1, dp: 1}]", "tp_dp_pairs: [{tp: 1, dp: 1}, {tp: 4, dp: 2}]", 1)
	src = strings.Replace(src, "num_prompts: [10]", "num_prompts: [10, 1000000, 1000001]", 1)
	src = strings.Replace(src, "concurrency: [4]", "concurrency: [4, 100001]", 1)
	src = strings.Replace(src, "      max_model_len: 4096\n", "", 1)
	src = strings.Replace(src, "context_size: [512]", "context_size: [512, 20000000]", 1)
	cfg, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings(4) {
		got = append(got, w.Error())
	}
	want := []string{
		"c.yaml:6: runs[0].serve.tp_dp_pairs[1]: tp 4 x dp 2 x pp 1 needs 8 GPUs, but nvidia-smi reports 4 on this machine",
		"c.yaml:8: runs[0].bench.context_size[1]: 20000000 tokens is above 10000000; is that meant?",
		"c.yaml:9: runs[0].bench.concurrency[1]: 100001 concurrent requests is above 100000; is that meant?",
		"c.yaml:10: runs[0].bench.num_prompts[0]: 10 prompts are fewer than concurrency 100001: at most 10 requests are ever in flight at those points (the result's vllm_bench.peak_concurrent_requests records the concurrency reached)",
		"c.yaml:10: runs[0].bench.num_prompts[2]: 1000001 prompts is above 1000000; is that meant?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without nvidia-smi (0 GPUs) the layouts are not judged.
	if n := len(cfg.Warnings(0)); n != 4 {
		t.Errorf("%d warnings without a GPU count, want the 3 sizes and the prompts", n)
	}
	// The simulator uses no GPU.
	cfg.Runs[0].Engine = "sim"
	if n := len(cfg.Warnings(1)); n != 4 {
		t.Errorf("%d warnings for engine sim, want the 3 sizes and the prompts", n)
	}
}

func TestWarningsFewerPromptsThanConcurrency(t *testing.T) {
	src := strings.Replace(validRun, "concurrency: [4]", "concurrency: [1, 4, 8]", 1)
	src = strings.Replace(src, "num_prompts: [10]", "num_prompts: [2, 10]", 1)
	cfg, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings(0) {
		got = append(got, w.Error())
	}
	want := []string{
		"c.yaml:11: runs[0].bench.num_prompts[0]: 2 prompts are fewer than concurrency 4, 8: at most 2 requests are ever in flight at those points (the result's vllm_bench.peak_concurrent_requests records the concurrency reached)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
