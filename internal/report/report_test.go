package report

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

const gpu = "NVIDIA H100 80GB HBM3"

// goldenPairs is a small sweep with one of each outcome: unchanged,
// regression (TTFT +20%, with history), improvement (TPOT -30%, throughput +30%), a new
// point, a failed point and a baseline from other hardware.
func goldenPairs() []baseline.Pair {
	base := func(ctx, conc int, seed uint64) spec {
		return spec{run: "llama-7b", ctx: ctx, conc: conc, gpu: gpu, ttftMs: 40 + float64(ctx)/20 + float64(conc)/2,
			tpotMs: 8 + float64(conc)/16, outTput: 120 * float64(conc) / (1 + float64(conc)/64), n: 200, repeats: 2, seed: seed}
	}
	with := func(s spec, f func(*spec)) *spec { f(&s); return &s }
	var ps []baseline.Pair
	// CTX512: unchanged at C8, regression at C32, improvement at C64.
	b := base(512, 8, 1)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 101 }), &b, nil))
	// The regression has run-to-run history, so it is judged against the
	// measured spread rather than the no-history allowance.
	b = base(512, 32, 2)
	hist := map[string][]float64{"median_ttft_ms": {b.ttftMs, 1.01 * b.ttftMs, 0.99 * b.ttftMs, 1.005 * b.ttftMs, 0.995 * b.ttftMs}}
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 102; s.ttftMs *= 1.2 }), &b, hist))
	b = base(512, 64, 3)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 103; s.tpotMs *= 0.7; s.outTput *= 1.3 }), &b, nil))
	// CTX1024: new at C8, failed at C32, unchanged at C64.
	b = base(1024, 8, 4)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 104 }), nil, nil))
	b = base(1024, 32, 5)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 105; s.failed = 3 }), &b, nil))
	b = base(1024, 64, 6)
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 106 }), &b, nil))
	// TP2: the baseline was measured on an A100.
	b = base(512, 8, 7)
	b.tp = 2
	ps = append(ps, pair(*with(b, func(s *spec) { s.seed = 107 }), with(b, func(s *spec) { s.gpu = "NVIDIA A100-SXM4-80GB"; s.ttftMs *= 1.5 }), nil))
	return ps
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "report", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	r := New(gate.Compare(goldenPairs(), gate.Options{Seed: 1}))
	golden(t, "compare.md", r.Markdown())
	golden(t, "compare.txt", r.Text())
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.json", string(js)+"\n")
}

func TestAnnotations(t *testing.T) {
	r := New(gate.Compare(goldenPairs(), gate.Options{Seed: 1}))
	ann := r.Annotations()
	if len(ann) != 2 || !strings.Contains(ann[0], "median_ttft_ms regressed") {
		t.Errorf("annotations = %q", ann)
	}
}

// sweep200 builds a 200-point sweep: 4 server configurations x 5 context
// sizes x 10 concurrencies; every point regresses when regress is true.
func sweep200(regress bool) []baseline.Pair {
	var ps []baseline.Pair
	seed := uint64(1)
	for tp := 1; tp <= 4; tp++ {
		for _, ctx := range []int{256, 512, 1024, 2048, 4096} {
			for _, conc := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512} {
				b := spec{run: "llama-70b-long-run-name", tp: tp, ctx: ctx, conc: conc, gpu: gpu,
					ttftMs: 30 + float64(ctx)/10, tpotMs: 10 + float64(conc)/8, outTput: 100 * float64(conc), n: 60, repeats: 2, seed: seed}
				c := b
				c.seed = seed + 1000
				if regress {
					// Beyond the no-history allowances (48% TTFT, 21% TPOT).
					c.ttftMs *= 2
					c.tpotMs *= 1.5
					c.outTput *= 0.6
				}
				ps = append(ps, pair(c, &b, nil))
				seed++
			}
		}
	}
	return ps
}

func TestMarkdownSizeLimit(t *testing.T) {
	for _, regress := range []bool{false, true} {
		r := New(gate.Compare(sweep200(regress), gate.Options{Resamples: 100, Gates: map[string]gate.Settings{
			"llama-70b-long-run-name": gate.Defaults(),
		}}))
		md := r.Markdown()
		if n := utf8.RuneCountInString(md); n >= 65000 || len(md) > MaxMarkdownBytes {
			t.Errorf("regress=%v: markdown has %d characters, %d bytes", regress, n, len(md))
		}
		if regress && r.Regressions() != 600 {
			t.Errorf("regressions = %d, want 600", r.Regressions())
		}
		if !strings.Contains(md, "200 points") && !strings.Contains(md, "200 regressions") {
			t.Errorf("regress=%v: the summary lost its counts", regress)
		}
		// Tables are never cut: every table line is a whole row.
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
				t.Errorf("cut table line %q", line)
			}
		}
	}
}
