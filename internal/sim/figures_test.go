package sim

import "testing"

// TestFigures logs what the defaults give, for the README table:
// go test ./internal/sim/ -run TestFigures -v
func TestFigures(t *testing.T) {
	cfg, p := testConfig(nil)
	t.Logf("KV cache: %d tokens, batched tokens %d", p.kv.tokens, p.batchedTokens)
	for _, in := range []int{128, 512, 1369, 2048, 4096} {
		r := simulateClosedLoop(cfg, 1, 1, 3, in, 16)
		t.Logf("TTFT at %d input tokens (alone): %.1f ms", in, 1000*median(r.ttftS))
	}
	for _, c := range []int{1, 8, 10, 64, 80, 256} {
		r := simulateClosedLoop(cfg, 1, c, 3*c, 512, 128)
		t.Logf("concurrency %d (512 in / 128 out): median TPOT %.2f ms, median TTFT %.1f ms, output %.0f tok/s",
			c, 1000*median(r.tpotS), 1000*median(r.ttftS), r.outputTokS())
	}
	for _, c := range []int{256, 512, 1024} {
		r := simulateClosedLoop(cfg, 1, c, 3*c, 512, 1024)
		t.Logf("concurrency %d (512 in / 1024 out): median TPOT %.2f ms, output %.0f tok/s, max waiting %d",
			c, 1000*median(r.tpotS), r.outputTokS(), r.maxWaiting)
	}
	m := cfg.model
	for _, b := range []int{1, 64, 256} {
		t.Logf("decode step (TPOT, decode only) at batch %d, context 576: %.2f ms", b, 1000*m.stepS(stepLoad{tokens: b, contextTokens: 576 * b}))
	}
	for _, b := range []int{1, 10, 80, 256} {
		t.Logf("decode step at batch %d, context 350: %.2f ms", b, 1000*m.stepS(stepLoad{tokens: b, contextTokens: 350 * b}))
	}
	for _, gpu := range []string{"h100", "h200", "a100", "l40s"} {
		c, _ := testConfig(func(o *options) { o.SimGPU = gpu })
		r := simulateClosedLoop(c, 1, 8, 16, 32, 128)
		t.Logf("%s batch 8, 32 in / 128 out: median TPOT %.2f ms", gpu, 1000*median(r.tpotS))
	}
	c2, _ := testConfig(func(o *options) { o.TensorParallel = 2 })
	t.Logf("TP2 decode step at batch 10: %.2f ms", 1000*c2.model.stepS(stepLoad{tokens: 10, contextTokens: 3500}))
}
