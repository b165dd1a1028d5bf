package config

import (
	"slices"
	"strings"
	"testing"
)

func TestExpandArgs(t *testing.T) {
	serve := Serve{ModelPath: "org/model", Port: 8123, GPUMemoryUtilization: 0.85, MaxNumSeqs: 64, Dtype: "half"}
	pair := Parallel{TP: 2, DP: 1, PP: 4}
	cases := []struct {
		name    string
		args    []string
		maxLen  int
		want    []string
		wantErr string
	}{
		{"every placeholder", []string{"{model}", "--port", "{port}", "--tp={tp}", "--dp={dp}", "--pp={pp}", "--len={max_model_len}",
			"--seqs", "{max_num_seqs}", "--mem", "{gpu_memory_utilization}", "--dtype", "{dtype}"}, 4096,
			[]string{"org/model", "--port", "8123", "--tp=2", "--dp=1", "--pp=4", "--len=4096", "--seqs", "64", "--mem", "0.85", "--dtype", "half"}, ""},
		{"placeholders inside an item", []string{"serve:{model}@{port}"}, 0, []string{"serve:org/model@8123"}, ""},
		{"an unset placeholder alone is dropped", []string{"{model}", "{max_model_len}", "--port", "{port}"}, 0, []string{"org/model", "--port", "8123"}, ""},
		{"a flag with an unset value is dropped", []string{"{model}", "--max-model-len={max_model_len}"}, 0, []string{"org/model"}, ""},
		{"text without placeholders stays", []string{`{"temperature": 0}`, "{}", "{MODEL}"}, 0, []string{`{"temperature": 0}`, "{}", "{MODEL}"}, ""},
		{"unknown placeholder", []string{"{modle}"}, 0, nil, "args[0]: unknown placeholder {modle} (valid: {model}, {port}, {tp}"},
		{"unset inside an item", []string{"len={max_model_len}tokens"}, 0, nil, `args[0]: {max_model_len} is unset in "len={max_model_len}tokens"; set serve.max_model_len`},
		{"dropped value of a flag", []string{"--max-model-len", "{max_model_len}"}, 0, nil, "args[1]: {max_model_len} is unset, which would leave --max-model-len without its value; write --max-model-len={max_model_len}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := serve
			s.Args, s.MaxModelLen = c.args, c.maxLen
			got, err := s.ExpandArgs(pair)
			if c.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one starting %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("ExpandArgs = %q, want %q", got, c.want)
			}
		})
	}
}
