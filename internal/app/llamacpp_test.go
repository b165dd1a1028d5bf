package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// llamaCppDir is where CI keeps llama.cpp's server and a tiny model of
// random weights, beside the checkout (see its README): a real inference
// engine on the CPU, ready in well under a second.
var llamaCppDir = filepath.Join("..", "..", "..", "shared", "engines", "llama.cpp")

// llamaCpp returns the absolute paths of llama.cpp's server and its model,
// or skips the test where they are absent, as on a user's clone.
func llamaCpp(t *testing.T) (server, model string) {
	t.Helper()
	dir, err := filepath.Abs(llamaCppDir)
	if err != nil {
		t.Fatal(err)
	}
	server, model = filepath.Join(dir, "llama-server"), filepath.Join(dir, "tiny-random-llama.gguf")
	for _, p := range []string{server, model} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("llama.cpp's server and model are not beside the checkout (CI keeps them in ../shared/engines/llama.cpp): %v", err)
		}
	}
	return server, model
}

// llamaRun is one run of a config that starts llama.cpp's server through
// engine custom.
type llamaRun struct {
	name     string
	endpoint string // "" is completions
	// slots and ctx are llama-server's -np and -c: each slot holds ctx/slots
	// tokens.
	slots, ctx int
	pairs      string // tp_dp_pairs; {tp} fills llama-server's -t
	extra      string // serve.extra_args, "" for none
	point      string // the bench lists, as YAML lines
	ab         string // an ab section, "" for none
}

// writeLlamaConfig writes a config of runs against llama.cpp's server on
// port, with results under dir.
func writeLlamaConfig(t *testing.T, dir string, port int, runs ...llamaRun) string {
	t.Helper()
	server, model := llamaCpp(t)
	var b strings.Builder
	b.WriteString("runs:\n")
	for _, r := range runs {
		fmt.Fprintf(&b, `  - name: %s
    engine: custom
    serve:
      model_path: %s
      port: %d
      startup_timeout: 1m
      command: [%s]
      args: [-m, "{model}", --port, "{port}", -np, "%d", -c, "%d", --metrics, -t, "{tp}"]
      tp_dp_pairs: %s
`, r.name, strconv.Quote(model), port, strconv.Quote(server), r.slots, r.ctx, r.pairs)
		if r.extra != "" {
			fmt.Fprintf(&b, "      extra_args: %s\n", r.extra)
		}
		fmt.Fprintf(&b, "    bench:\n      output_dir: %s\n", strconv.Quote(filepath.Join(dir, "results", r.name)))
		if r.endpoint != "" {
			fmt.Fprintf(&b, "      endpoint: %s\n", r.endpoint)
		}
		b.WriteString(r.point)
		b.WriteString(r.ab)
	}
	path := filepath.Join(dir, "llamacpp.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// llamaPoint is a small point grid: 64-token prompts, 8 prompts of 16
// output tokens, at concurrency 1 and 8.
const llamaPoint = `      context_size: [64]
      concurrency: [1, 8]
      num_prompts: [8]
      output_len: [16]
`

// TestLlamaCppRun runs completions and chat at concurrency 1 and 8 against
// llama.cpp's server, the completions run in two configurations (-t 1 and
// -t 2) started one after the other on the same port: every request
// completes, prompts and outputs have exactly the asked lengths, and the
// server's tokenizer API and metrics are recognised.
func TestLlamaCppRun(t *testing.T) {
	dir := t.TempDir()
	cfg := writeLlamaConfig(t, dir, runTestPort(t),
		llamaRun{name: "completions", slots: 8, ctx: 4096, pairs: "[{tp: 1}, {tp: 2}]", point: llamaPoint},
		llamaRun{name: "chat", endpoint: "chat", slots: 8, ctx: 4096, pairs: "[{tp: 2}]", point: llamaPoint})
	paths := plannedFiles(t, "-c", cfg)
	if len(paths) != 6 {
		t.Fatalf("plan: %d result files, want 6 (2 points x 3 servers)", len(paths))
	}
	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, path := range paths {
		f, err := results.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(path)
		chat := f.VllmBench.Endpoint == "chat"
		if f.Completed != 8 || f.Failed != 0 {
			t.Errorf("%s: completed %d, failed %d; want 8, 0: %s", name, f.Completed, f.Failed, f.FirstError())
		}
		for i := range f.InputLens {
			// A chat template adds its own tokens to the prompt.
			if in := f.InputLens[i]; in != 64 && !chat || in < 64 {
				t.Errorf("%s: request %d had %d prompt tokens, want 64", name, i, in)
			}
			if out := f.OutputLens[i]; out != 16 {
				t.Errorf("%s: request %d had %d output tokens, want 16", name, i, out)
			}
		}
		if reasons := lengthReasons(f); len(reasons) != 0 || f.VllmBench.Lengths == nil {
			t.Errorf("%s: lengths %+v, reasons %q; want counted and as asked", name, f.VllmBench.Lengths, reasons)
		}
		if f.VllmBench.TokenizerAPI != "llama.cpp" {
			t.Errorf("%s: tokenizer API %q, want llama.cpp", name, f.VllmBench.TokenizerAPI)
		}
		if m := f.VllmBench.ServerMetrics; m == nil || m.Source != "llama.cpp" || m.GenerationTokens == nil || m.GenerationTokens.Delta < 8*16 {
			t.Errorf("%s: server metrics %+v, want llama.cpp's with >= 128 generated tokens", name, m)
		}
	}
	for _, want := range []string{"completions TP1 DP1 PP1", "completions TP2 DP1 PP1", "chat TP2 DP1 PP1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the run table lacks %q:\n%s", want, stdout)
		}
	}
}

// TestLlamaCppTruncation asks for prompts longer than a slot of llama.cpp's
// server holds: the server cuts them without an error, and the run says so.
func TestLlamaCppTruncation(t *testing.T) {
	dir := t.TempDir()
	// Two slots of 256 tokens; 320-token prompts do not fit.
	cfg := writeLlamaConfig(t, dir, runTestPort(t), llamaRun{name: "cut", slots: 2, ctx: 512, pairs: "[{tp: 2}]", point: `      context_size: [320]
      concurrency: [2]
      num_prompts: [4]
      output_len: [8]
`})
	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	paths := plannedFiles(t, "-c", cfg)
	f, err := results.Read(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	l := f.VllmBench.Lengths
	if l == nil || l.PromptTokensMax >= 320 {
		t.Fatalf("lengths %+v: the server did not cut the prompts; the test proves nothing", l)
	}
	want := fmt.Sprintf("cut TP2 DP1 PP1 CTX320 C2 P4 O8: suspect (lengths): prompts truncated to %d tokens", l.PromptTokensMax)
	if !strings.Contains(stdout, "warning: "+want) {
		t.Errorf("the run does not say %q:\n%s", want, stdout)
	}
}

// TestLlamaCppAB runs paired A/B comparisons of llama.cpp's server against
// itself (A/A: one thread on both sides) and of one thread against two. On
// a quiet machine one thread is about half as fast as two; on a shared one
// the difference is anyone's, so the second comparison checks that it
// reaches a verdict on every cell, not which.
func TestLlamaCppAB(t *testing.T) {
	point := `      context_size: [64]
      concurrency: [4]
      num_prompts: [16]
      output_len: [16]
`
	for _, tc := range []struct {
		name, candidate, baseline string
		wantCodes                 []int
	}{
		{"A/A", `[-t, "1"]`, `[-t, "1"]`, []int{ExitOK}},
		{"one thread against two", `[-t, "1"]`, `[-t, "2"]`, []int{ExitOK, ExitRegression}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeLlamaConfig(t, dir, runTestPort(t), llamaRun{name: "ab", slots: 4, ctx: 1024, pairs: "[{tp: 1}]",
				extra: tc.candidate, point: point, ab: fmt.Sprintf("    ab:\n      baseline:\n        extra_args: %s\n", tc.baseline)})
			code, stdout, stderr := cli(t, nil, "ab", "-c", cfg, "--out", filepath.Join(dir, "ab"), "--rounds", "2", "--format", "json")
			if !slices.Contains(tc.wantCodes, code) {
				t.Fatalf("exit %d, want one of %v\nstdout:\n%s\nstderr:\n%s", code, tc.wantCodes, stdout, stderr)
			}
			r := readABReport(t, stdout)
			if r.Paired.Rounds < 1 || len(r.Points) != 1 || len(r.Points[0].Cells) == 0 {
				t.Fatalf("report: %d rounds, %d points; want >= 1 round and one point with cells:\n%s", r.Paired.Rounds, len(r.Points), stdout)
			}
			for _, c := range r.Points[0].Cells {
				if c.Verdict == "" {
					t.Errorf("cell %s has no verdict", c.Metric)
				}
			}
			if (code == ExitRegression) != (r.Verdict == "regression") {
				t.Errorf("exit %d with verdict %q", code, r.Verdict)
			}
		})
	}
}
