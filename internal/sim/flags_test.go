package sim

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	o, err := parseArgs(strings.Fields(
		"meta-llama/Llama-2-7b-hf --port=9001 -tp 2 --data-parallel-size=2 -pp 1 --gpu-memory-utilization 0.8 " +
			"--max-model-len 4096 --max-num-seqs=64 --max-num-batched-tokens 4096 --dtype bfloat16 " +
			"--enable-expert-parallel --disable-log-requests --enable-log-requests --seed 7 " +
			"--served-model-name llama alias --trust-remote-code --swap-space 4 --kv-cache-dtype=fp8 -O3 " +
			"--sim-speedup 10 --sim-gpu H200 --sim-params-b 8 --sim-run-cv 0 --sim-load-time 0.5 " +
			"--sim-crash-after 3 --sim-error-rate 0.1 --sim-hang-after 9 --sim-slowdown 1.5 --sim-fail-start " +
			"--sim-drift 1.05 --sim-kv-tokens 4096 --sim-keepalive-timeout 2.5"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Model != "meta-llama/Llama-2-7b-hf" || o.Port != 9001 || o.TensorParallel != 2 || o.DataParallel != 2 ||
		o.PipelineParallel != 1 || o.GPUMemoryUtilization != 0.8 || o.MaxModelLen != 4096 || o.MaxNumSeqs != 64 ||
		o.MaxNumBatchedTokens != 4096 || o.Dtype != "bfloat16" || !o.EnableExpertParallel || !o.DisableLogRequests ||
		!o.EnableLogRequests || o.Seed == nil || *o.Seed != 7 {
		t.Errorf("vLLM flags parsed wrong: %+v", o)
	}
	if !slices.Equal(o.ServedModelNames, []string{"llama", "alias"}) || o.servedName() != "llama" || !o.servesModel("alias") {
		t.Errorf("served names %v", o.ServedModelNames)
	}
	if want := []string{"--trust-remote-code", "--swap-space 4", "--kv-cache-dtype=fp8", "-O3"}; !slices.Equal(o.Ignored, want) {
		t.Errorf("ignored %q, want %q", o.Ignored, want)
	}
	if o.SimSpeedup != 10 || o.SimGPU != "h200" || o.SimParamsB != 8 || o.SimRunCV != 0 || o.SimLoadTimeS != 0.5 ||
		o.SimCrashAfter != 3 || o.SimErrorRate != 0.1 || o.SimHangAfter != 9 || o.SimSlowdown != 1.5 || !o.SimFailStart ||
		o.SimDrift != 1.05 || o.SimKVTokens != 4096 || o.SimKeepaliveTimeoutS != 2.5 {
		t.Errorf("sim flags parsed wrong: %+v", o)
	}
}

func TestParseArgsDefaults(t *testing.T) {
	o, err := parseArgs([]string{"m"})
	if err != nil {
		t.Fatal(err)
	}
	d := defaultOptions()
	d.Model = "m"
	if o.Port != DefaultPort || o.Host != DefaultHost || o.MaxNumSeqs != DefaultMaxNumSeqs ||
		o.GPUMemoryUtilization != DefaultGPUMemoryUtilization || o.Dtype != "auto" || o.SimSpeedup != 1 ||
		o.SimGPU != "h100" || o.SimParamsB != 7 || o.SimRunCV != 0.01 || o.Seed != nil || len(o.Ignored) != 0 ||
		o.SimDrift != 1 || o.SimKVTokens != 0 || o.SimKeepaliveTimeoutS != 5 {
		t.Errorf("defaults wrong: %+v", o)
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args  string
		value bool // a ValueError rather than an argparse error
		want  string
	}{
		{"", false, "required: model_tag"},
		{"m -tp 0", true, "tensor_parallel_size"},
		{"m --data-parallel-size -1", true, "data_parallel_size"},
		{"m --max-model-len -5", true, "max_model_len"},
		{"m --max-num-seqs 0", true, "max_num_seqs"},
		{"m --max-num-seqs 512 --max-num-batched-tokens 256", true, "max_num_batched_tokens"},
		{"m --gpu-memory-utilization 1.5", true, "GPU memory utilization"},
		{"m --dtype int3", false, "invalid choice: 'int3'"},
		{"m --port abc", false, "invalid int value: 'abc'"},
		{"m --port 70000", true, "port"},
		{"m --port", false, "expected one argument"},
		{"m --port --seed 1", false, "expected one argument"},
		{"m --sim-gpu tpu", false, "invalid choice: 'tpu'"},
		{"m --sim-speedup 0", true, "--sim-speedup"},
		{"m --sim-error-rate 2", true, "--sim-error-rate"},
		{"m --sim-drift 0", true, "--sim-drift must be in (0, 100], got 0"},
		{"m --sim-drift -1.1", true, "--sim-drift"},
		{"m --sim-drift fast", false, "argument --sim-drift: invalid float value: 'fast'"},
		{"m --sim-drift-epoch yesterday", false, "argument --sim-drift-epoch: want Unix seconds or an RFC 3339 time such as 2026-01-02T15:04:05Z, got 'yesterday'"},
		{"m --sim-kv-tokens -16", true, "--sim-kv-tokens must be >= 0, got -16"},
		{"m --sim-keepalive-timeout -1", true, "--sim-keepalive-timeout must be a number of seconds >= 0, got -1"},
		{"m --sim-kv-tokens 8", true, "--sim-kv-tokens must be at least one KV block (16 tokens), got 8"},
		{"m --sim-kv-tokens 1.5", false, "argument --sim-kv-tokens: invalid int value: '1.5'"},
		{"m --sim-typo 1", false, "unrecognized arguments: --sim-typo"},
		{"m other", false, "unrecognized arguments: other"},
		{"m --enable-log-requests=maybe", false, "invalid boolean"},
	}
	for _, tt := range tests {
		_, err := parseArgs(strings.Fields(tt.args))
		var ve *valueError
		var ae *argError
		switch {
		case err == nil:
			t.Errorf("%q: no error", tt.args)
		case tt.value && !errors.As(err, &ve), !tt.value && !errors.As(err, &ae):
			t.Errorf("%q: error %T %v, want value=%v", tt.args, err, err, tt.value)
		case !strings.Contains(err.Error(), tt.want):
			t.Errorf("%q: %v, want it to mention %q", tt.args, err, tt.want)
		}
	}
	if _, err := parseArgs([]string{"m", "--help"}); !errors.Is(err, errHelp) {
		t.Errorf("--help: %v", err)
	}
	if _, err := parseArgs([]string{"--version"}); !errors.Is(err, errVersion) {
		t.Errorf("--version: %v", err)
	}
}

func TestParseDriftEpoch(t *testing.T) {
	for _, tt := range []struct {
		arg  string
		want time.Time
	}{
		{"1767323045", time.Unix(1767323045, 0)},
		{"1767323045.5", time.Unix(1767323045, 5e8)},
		{"2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
	} {
		o, err := parseArgs([]string{"m", "--sim-drift", "1.05", "--sim-drift-epoch", tt.arg})
		if err != nil {
			t.Fatalf("%s: %v", tt.arg, err)
		}
		if o.SimDriftEpoch == nil || !o.SimDriftEpoch.Equal(tt.want) {
			t.Errorf("--sim-drift-epoch %s: %v, want %v", tt.arg, o.SimDriftEpoch, tt.want)
		}
	}
	if o, err := parseArgs([]string{"m"}); err != nil || o.SimDriftEpoch != nil {
		t.Errorf("no flag: epoch %v (%v), want none", o.SimDriftEpoch, err)
	}
}
