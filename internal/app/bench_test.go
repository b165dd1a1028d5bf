package app

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sim/simtest"
)

func benchEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb}, &out, &errb
}

func TestCmdBenchFlags(t *testing.T) {
	ok := []string{"--base-url", "http://127.0.0.1:1", "--context-size", "8", "--concurrency", "1", "--num-prompts", "1", "--output-len", "1", "--out", "x.json"}
	with := func(extra ...string) []string { return append(append([]string{}, ok...), extra...) }
	tests := []struct {
		args []string
		want string
	}{
		{ok[2:], "--base-url: required"},
		{with("--concurrency", "0"), "--concurrency: must be >= 1, got 0"},
		{with("--request-rate", "-2"), "--request-rate"},
		{with("--goodput", "ttft:abc"), "--goodput"},
		{with("--goodput", "latency:5"), "--goodput"},
		{with("--endpoint", "embeddings"), "--endpoint"},
		{with("--repeats", "0"), "--repeats"},
		{with("stray"), "unexpected argument"},
	}
	for _, tt := range tests {
		env, _, errb := benchEnv()
		if code := exitWith(env.Stderr, cmdBench(context.Background(), env, tt.args)); code != ExitInvalid {
			t.Errorf("%v: exit %d, want %d", tt.args, code, ExitInvalid)
		}
		if !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: stderr %q, want %q", tt.args, errb.String(), tt.want)
		}
	}
}

func TestParseGoodput(t *testing.T) {
	got, err := parseGoodput("ttft:500, tpot:50 e2el_ms:2000")
	want := map[string]float64{"ttft_ms": 500, "tpot_ms": 50, "e2el_ms": 2000}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseGoodput = %v, %v", got, err)
	}
	if got, err := parseGoodput(""); got != nil || err != nil {
		t.Errorf("empty goodput = %v, %v", got, err)
	}
}

func TestCmdBenchUnreachable(t *testing.T) {
	env, _, errb := benchEnv()
	out := filepath.Join(t.TempDir(), "r.json")
	args := []string{"--base-url", "http://127.0.0.1:1", "--context-size", "8", "--concurrency", "1", "--num-prompts", "1", "--output-len", "1", "--out", out}
	if code := exitWith(env.Stderr, cmdBench(context.Background(), env, args)); code != ExitInfra {
		t.Errorf("exit %d, want %d; stderr %q", code, ExitInfra, errb.String())
	}
}

func TestCmdBenchSim(t *testing.T) {
	base := simtest.Start(t)
	env, stdout, errb := benchEnv()
	out := filepath.Join(t.TempDir(), "sub", "r.json")
	args := []string{"--base-url", base, "--context-size", "128", "--concurrency", "4", "--num-prompts", "12",
		"--output-len", "16", "--request-rate", "200", "--repeats", "2", "--goodput", "ttft:10000", "--out", out}
	if code := exitWith(env.Stderr, cmdBench(context.Background(), env, args)); code != ExitOK {
		t.Fatalf("exit %d; stderr %q", code, errb.String())
	}
	f, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Completed != 24 || f.RequestRate != 200.0 || len(f.VllmBench.Repeats) != 2 || len(f.VllmBench.QueueTimes) != 24 || f.RequestGoodput == nil {
		t.Errorf("file: completed %d rate %v repeats %d queue times %d goodput %v",
			f.Completed, f.RequestRate, len(f.VllmBench.Repeats), len(f.VllmBench.QueueTimes), f.RequestGoodput)
	}
	if !f.Complete() {
		t.Error("Complete() = false for a finished file")
	}
	for _, s := range []string{"completed 24, failed 0", "TTFT ms", "output tok/s", "wrote " + out} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, stdout.String())
		}
	}
}

func TestCmdBenchSomeFailedExitsOne(t *testing.T) {
	base := simtest.Start(t, "--sim-error-rate", "0.3", "--seed", "5")
	env, stdout, errb := benchEnv()
	out := filepath.Join(t.TempDir(), "r.json")
	args := []string{"--base-url", base, "--context-size", "32", "--concurrency", "4", "--num-prompts", "20", "--output-len", "4", "--out", out}
	if code := exitWith(env.Stderr, cmdBench(context.Background(), env, args)); code != ExitRegression {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitRegression, errb.String())
	}
	f, err := results.Read(out)
	if err != nil {
		t.Fatalf("the file of a point with failed requests: %v", err)
	}
	if f.Failed == 0 || f.Completed == 0 {
		t.Fatalf("completed %d, failed %d; want some of each", f.Completed, f.Failed)
	}
	want := "requests failed; first error: "
	if !strings.Contains(errb.String(), want) || !strings.Contains(stdout.String(), "wrote "+out) {
		t.Errorf("stderr %q lacks %q, or stdout lacks the file:\n%s", errb.String(), want, stdout.String())
	}
}

func TestCmdBenchLengths(t *testing.T) {
	base := simtest.Start(t)
	env, stdout, errb := benchEnv()
	out := filepath.Join(t.TempDir(), "r.json")
	args := []string{"--base-url", base, "--context-size", "40", "--concurrency", "2", "--num-prompts", "4", "--output-len", "5", "--out", out}
	if code := exitWith(env.Stderr, cmdBench(context.Background(), env, args)); code != ExitOK {
		t.Fatalf("exit %d; stderr %q", code, errb.String())
	}
	f, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	want := results.Lengths{Requests: 4, PromptTokensMin: 40, PromptTokensMax: 40, OutputTokensMin: 5, OutputTokensMax: 5}
	if f.VllmBench.Lengths == nil || *f.VllmBench.Lengths != want || len(lengthReasons(f)) != 0 || f.VllmBench.TokenizerAPI != "vllm" {
		t.Errorf("lengths %+v, reasons %q, tokenizer API %q; want %+v, none, vllm", f.VllmBench.Lengths, lengthReasons(f), f.VllmBench.TokenizerAPI, want)
	}
	if s := "lengths (the server's usage, 4 requests): prompt 40 tokens, output 5 tokens"; !strings.Contains(stdout.String(), s) {
		t.Errorf("summary lacks %q:\n%s", s, stdout.String())
	}
}

// lengthReasons returns why a point's prompt or output lengths are not
// what it asked for (cut prompts, an ignored max_tokens), from its
// suspicions.
func lengthReasons(f *results.File) []string {
	var out []string
	for _, s := range f.Suspicions() {
		if s.Source == "lengths" {
			out = append(out, s.Reason)
		}
	}
	return out
}
