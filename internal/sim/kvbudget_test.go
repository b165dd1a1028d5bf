package sim

import (
	"strings"
	"testing"
)

// TestSmallKVBudgetPreempts runs a quick-start point (8 streams, 2,048-token
// prompts, 128 output tokens) with the KV budget of --sim-kv-tokens 4096
// and with the GPU's: the small budget must preempt, and TTFT and TPOT
// must get clearly worse.
func TestSmallKVBudgetPreempts(t *testing.T) {
	full, _ := testConfig(func(o *options) { o.MaxModelLen = 4096 })
	small, p := testConfig(func(o *options) { o.MaxModelLen = 4096; o.SimKVTokens = 4096 })
	if p.kv.tokens != 4096 || !p.kvOverridden {
		t.Fatalf("plan KV budget %d tokens (overridden %v), want 4096 from --sim-kv-tokens", p.kv.tokens, p.kvOverridden)
	}
	a := simulateClosedLoop(full, 1, 8, 32, 2048, 128)
	b := simulateClosedLoop(small, 1, 8, 32, 2048, 128)
	t.Logf("full cache: %d preemptions, TTFT p50 %.0f ms, TPOT p50 %.2f ms; 4096 tokens: %d preemptions, TTFT p50 %.0f ms, TPOT p50 %.2f ms",
		a.preemptions, 1000*median(a.ttftS), 1000*median(a.tpotS), b.preemptions, 1000*median(b.ttftS), 1000*median(b.tpotS))
	if a.preemptions != 0 || b.preemptions == 0 {
		t.Errorf("preemptions: %d with the GPU's cache, %d with 4096 tokens; want 0 and some", a.preemptions, b.preemptions)
	}
	if r := median(b.ttftS) / median(a.ttftS); r < 5 {
		t.Errorf("median TTFT with 4096 KV tokens is %.1fx that with the full cache, want at least 5x", r)
	}
	if r := median(b.tpotS) / median(a.tpotS); r < 1.2 {
		t.Errorf("median TPOT with 4096 KV tokens is %.2fx that with the full cache, want at least 1.2x", r)
	}
	if b.completedReqs != 32 {
		t.Errorf("completed %d of 32 requests under preemption", b.completedReqs)
	}
}

// TestKVBudgetMustHoldOneRequest checks the start-up error when
// --sim-kv-tokens cannot hold a request of max_model_len tokens, as vLLM
// refuses to start when its cache cannot.
func TestKVBudgetMustHoldOneRequest(t *testing.T) {
	o := defaultOptions()
	o.Model = "m"
	o.SimKVTokens = 2010
	_, err := newPlan(&o)
	if err == nil || !strings.Contains(err.Error(), "--sim-kv-tokens 2010 cannot hold one request of max_model_len (8192) tokens; pass --max-model-len 2000 or less") {
		t.Errorf("err %v, want the --sim-kv-tokens start-up error", err)
	}
	o.MaxModelLen = 2000
	p, err := newPlan(&o)
	if err != nil || p.kv.tokens != 2000 {
		t.Errorf("--sim-kv-tokens 2010 with --max-model-len 2000: %d tokens, err %v; want 2000 (whole blocks)", p.kv.tokens, err)
	}
}
