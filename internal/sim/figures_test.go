package sim

import "testing"

// TestFigures checks the defaults (7B bf16, one H100) against the published
// vLLM figures for 8B-class models that the README's table cites, within
// generous bands, and logs the values for that table:
// go test ./internal/sim/ -run TestFigures -v
func TestFigures(t *testing.T) {
	cfg, p := testConfig(nil)
	t.Logf("KV cache: %d tokens, batched tokens %d", p.kv.tokens, p.batchedTokens)
	within := func(what string, got, lo, hi float64) {
		t.Helper()
		t.Logf("%s: %.2f (published range %g-%g)", what, got, lo, hi)
		if got < lo || got > hi {
			t.Errorf("%s = %.2f, outside %g-%g", what, got, lo, hi)
		}
	}
	m := cfg.model
	ttft := simulateClosedLoop(cfg, 1, 1, 3, 1369, 16)
	within("TTFT ms, 1,369 input tokens alone (published 62)", 1000*median(ttft.ttftS), 45, 80)
	within("decode step ms, batch 1 (published 7.2)", 1000*m.stepS(stepLoad{tokens: 1, contextTokens: 576}), 6, 9)
	within("decode step ms, batch 256, ShareGPT-like contexts (published 12.6)", 1000*m.stepS(stepLoad{tokens: 256, contextTokens: 350 * 256}), 10, 15.5)
	for _, g := range []struct {
		gpu    string
		lo, hi float64
	}{{"h200", 5, 8}, {"h100", 6.5, 9.5}, {"a100", 10, 15}} { // published 6.5 / 7.8 / 12.4
		c, _ := testConfig(func(o *options) { o.SimGPU = g.gpu })
		r := simulateClosedLoop(c, 1, 8, 16, 32, 128)
		within(g.gpu+" median TPOT ms, batch 8, 32 in / 128 out", 1000*median(r.tpotS), g.lo, g.hi)
	}
	c2, _ := testConfig(func(o *options) { o.TensorParallel = 2 })
	within("TP2 decode step ms at batch 10 (published 5.1)", 1000*c2.model.stepS(stepLoad{tokens: 10, contextTokens: 3500}), 4, 6.5)
	peak := simulateClosedLoop(cfg, 1, 512, 1024, 512, 1024)
	within("peak output tok/s (published 8,088)", peak.outputTokS(), 6500, 11500)
	for _, in := range []int{512, 2048} {
		r := simulateClosedLoop(cfg, 1, 1, 3, in, 16)
		t.Logf("TTFT at %d input tokens (alone): %.1f ms", in, 1000*median(r.ttftS))
	}
	for _, b := range []int{64, 256} {
		t.Logf("decode step at batch %d, context 576: %.2f ms", b, 1000*m.stepS(stepLoad{tokens: b, contextTokens: 576 * b}))
	}
}
