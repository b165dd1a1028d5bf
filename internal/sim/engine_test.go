package sim

import (
	"math"
	"testing"
)

func TestChunkedPrefill(t *testing.T) {
	cfg, _ := testConfig(func(o *options) { o.MaxModelLen = 32768 })
	e := newEngine(cfg, nil)
	s := &sequence{promptTokens: 20000, maxTokens: 3, stopAfter: 3}
	e.add(s)
	var steps []int
	now := 0.0
	for !e.idle() {
		r := e.step(now)
		now = r.endS
		steps = append(steps, r.tokens)
		if len(steps) == 3 && s.generated != 1 {
			t.Fatalf("after three chunks (%v) generated=%d, want the first token", steps, s.generated)
		}
		if len(steps) < 3 && s.generated != 0 {
			t.Fatalf("a token after only %v prefill tokens", steps)
		}
	}
	want := []int{8192, 8192, 3616, 1, 1}
	if len(steps) != len(want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("steps %v, want %v", steps, want)
		}
	}
	if s.finishReason() != "length" || e.kvUsage() != 0 {
		t.Errorf("finish %q, KV usage %.3f after finishing; want length and 0", s.finishReason(), e.kvUsage())
	}
}

func TestPreemptionKeepsOutputsExact(t *testing.T) {
	cfg, _ := testConfig(nil)
	cfg.kvTokens = 4096 // 256 blocks: 12 requests growing to 1000 tokens cannot all fit
	e := newEngine(cfg, nil)
	var seqs []*sequence
	for i := 0; i < 12; i++ {
		s := &sequence{promptTokens: 200, maxTokens: 800, stopAfter: 800}
		seqs = append(seqs, s)
		e.add(s)
	}
	now, emitted := 0.0, map[*sequence]int{}
	for steps := 0; !e.idle(); steps++ {
		if steps > 100000 {
			t.Fatal("engine did not finish")
		}
		r := e.step(now)
		now = r.endS
		for _, s := range r.emitted {
			emitted[s]++
		}
		if used := e.totalBlock - e.freeBlocks; used > e.totalBlock || e.freeBlocks < 0 {
			t.Fatalf("blocks out of range: free %d of %d", e.freeBlocks, e.totalBlock)
		}
	}
	pre := 0
	for _, s := range seqs {
		pre += s.preemptions
		if !s.finished || s.generated != 800 || emitted[s] != 800 {
			t.Errorf("sequence finished=%v generated=%d emitted=%d, want 800 exactly", s.finished, s.generated, emitted[s])
		}
	}
	if pre == 0 {
		t.Error("expected preemptions with a 4k-token cache")
	}
	if e.freeBlocks != e.totalBlock {
		t.Errorf("%d blocks leaked", e.totalBlock-e.freeBlocks)
	}
}

func TestAbortedSequencesAreDropped(t *testing.T) {
	cfg, _ := testConfig(nil)
	e := newEngine(cfg, nil)
	a := &sequence{promptTokens: 100, maxTokens: 50, stopAfter: 50}
	b := &sequence{promptTokens: 100, maxTokens: 50, stopAfter: 50}
	e.add(a)
	e.add(b)
	e.step(0)
	a.aborted.Store(true)
	r := e.step(1)
	if r.dropped != 1 || r.numRunning != 1 {
		t.Errorf("dropped %d, running %d; want 1 and 1", r.dropped, r.numRunning)
	}
}

func TestSlowdownAndSpeedScaleSteps(t *testing.T) {
	cfg, _ := testConfig(nil)
	base := newEngine(cfg, nil)
	cfg.scale = 2.5
	slow := newEngine(cfg, nil)
	for _, e := range []*engine{base, slow} {
		e.add(&sequence{promptTokens: 512, maxTokens: 4, stopAfter: 4})
	}
	a, b := base.step(0).durationS, slow.step(0).durationS
	if math.Abs(b/a-2.5) > 1e-9 {
		t.Errorf("scaled step %.4f s vs %.4f s: ratio %.3f, want 2.5", b, a, b/a)
	}
}

func TestStepJitterIsSmallAndSeeded(t *testing.T) {
	cfg, _ := testConfig(nil)
	cfg.jitterCV = stepJitterCV
	run := func(seed uint64) []float64 {
		e := newEngine(cfg, newRand(seed, 7))
		var ds []float64
		for i := 0; i < 200; i++ {
			e.add(&sequence{promptTokens: 10, maxTokens: 1, stopAfter: 1})
			ds = append(ds, e.step(0).durationS)
		}
		return ds
	}
	a, b, c := run(1), run(1), run(2)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	if !same || !differ {
		t.Errorf("jitter: same seed equal=%v, other seed differs=%v; want true, true", same, differ)
	}
	m := mean(a)
	sd := 0.0
	for _, x := range a {
		sd += (x - m) * (x - m)
	}
	if cv := math.Sqrt(sd/float64(len(a))) / m; cv < 0.005 || cv > 0.05 {
		t.Errorf("step CV %.4f, want about %g", cv, stepJitterCV)
	}
}

func TestSpeedFactorSpread(t *testing.T) {
	var xs []float64
	for seed := uint64(0); seed < 2000; seed++ {
		xs = append(xs, speedFactor(newRand(seed, 0), 0.01))
	}
	m := mean(xs)
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	cv := math.Sqrt(v/float64(len(xs))) / m
	if math.Abs(m-1) > 0.002 || cv < 0.008 || cv > 0.012 {
		t.Errorf("speed factor mean %.4f cv %.4f, want 1 and 0.01", m, cv)
	}
	if speedFactor(newRand(1, 0), 0) != 1 {
		t.Error("cv 0 must give exactly 1")
	}
}

func TestOutputLength(t *testing.T) {
	if got := outputLength(1, 64, 0, true); got != 64 {
		t.Errorf("ignore_eos: %d, want 64", got)
	}
	sum, early := 0, 0
	for seed := uint64(0); seed < 4000; seed++ {
		n := outputLength(seed, 100000, 10, false)
		if n < 10 {
			t.Fatalf("length %d below min_tokens 10", n)
		}
		sum += n
		if m := outputLength(seed, 64, 0, false); m < 64 {
			early++
		} else if m > 64 {
			t.Fatalf("length %d above max_tokens 64", m)
		}
	}
	if avg := float64(sum) / 4000; avg < 10+0.8*meanEOSTokens || avg > 10+1.2*meanEOSTokens {
		t.Errorf("mean length %.1f, want about %d", avg, 10+meanEOSTokens)
	}
	if early == 0 || early == 4000 {
		t.Errorf("%d of 4000 stopped before 64 tokens, want some but not all", early)
	}
}

func TestPlanFailures(t *testing.T) {
	tests := []struct {
		name string
		edit func(o *options)
		oom  bool
		ok   bool
	}{
		{"defaults", func(o *options) {}, false, true},
		{"70B on one H100", func(o *options) { o.SimParamsB = 70 }, true, false},
		{"70B on four H100", func(o *options) { o.SimParamsB = 70; o.TensorParallel = 4 }, false, true},
		{"no room for cache", func(o *options) { o.GPUMemoryUtilization = 0.19 }, false, false},
		{"max_model_len beyond cache", func(o *options) { o.MaxModelLen = 1 << 21 }, false, false},
	}
	for _, tt := range tests {
		o := defaultOptions()
		o.Model = "m"
		tt.edit(&o)
		_, err := newPlan(&o)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if le, isLE := err.(*loadError); isLE && le.oom != tt.oom {
			t.Errorf("%s: oom=%v, want %v (%v)", tt.name, le.oom, tt.oom, err)
		}
	}
}
