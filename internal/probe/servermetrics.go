package probe

import (
	"fmt"
	"math"
	"strings"
)

// ServerMetrics is the vllm_bench.server_metrics block of a result file:
// what the server's own Prometheus metrics say about the timed rounds of a
// point. Counters and histograms are deltas between a scrape just before
// and one just after each round, summed over the rounds; gauges are sampled
// while the rounds run. A quantity the server does not export is left out.
type ServerMetrics struct {
	// Source is the metric dialect that was read: "vllm", "sglang" or
	// "llama.cpp";
	// empty when the server offered neither (see Note).
	Source string `json:"source,omitempty"`
	// Note says why the block is empty or partial (no /metrics, other
	// names, failed scrapes, a counter reset).
	Note string `json:"note,omitempty"`
	// Rounds counts the timed rounds whose before and after scrapes both
	// succeeded; Scrapes counts every successful scrape.
	Rounds        int `json:"rounds"`
	Scrapes       int `json:"scrapes"`
	FailedScrapes int `json:"failed_scrapes,omitempty"`

	// Requests counts requests the server finished during the rounds.
	Requests         *Counter `json:"requests,omitempty"`
	PromptTokens     *Counter `json:"prompt_tokens,omitempty"`
	GenerationTokens *Counter `json:"generation_tokens,omitempty"`
	Preemptions      *Counter `json:"preemptions,omitempty"`
	// PrefixCacheQueriedTokens and PrefixCacheHitTokens count prompt tokens
	// looked up in, and found in, the prefix cache.
	PrefixCacheQueriedTokens *Counter `json:"prefix_cache_queried_tokens,omitempty"`
	PrefixCacheHitTokens     *Counter `json:"prefix_cache_hit_tokens,omitempty"`
	// PrefixCacheHitPct is hits per queried token, in percent.
	PrefixCacheHitPct *float64 `json:"prefix_cache_hit_pct,omitempty"`
	// PromptSeconds and GenerationSeconds are the seconds the server spent
	// processing prompts and generating tokens (llama.cpp counts them);
	// PromptMsPerToken and GenerationMsPerToken divide them by the tokens.
	PromptSeconds        *Counter `json:"prompt_seconds,omitempty"`
	GenerationSeconds    *Counter `json:"generation_seconds,omitempty"`
	PromptMsPerToken     *float64 `json:"prompt_ms_per_token,omitempty"`
	GenerationMsPerToken *float64 `json:"generation_ms_per_token,omitempty"`

	// Per-request times as the server measured them: waiting in its queue,
	// prefill, decode, prefill plus decode (inference), time to first
	// token and end to end. ITL is per output token.
	QueueTime     *Timing `json:"queue_time,omitempty"`
	PrefillTime   *Timing `json:"prefill_time,omitempty"`
	DecodeTime    *Timing `json:"decode_time,omitempty"`
	InferenceTime *Timing `json:"inference_time,omitempty"`
	TTFT          *Timing `json:"ttft,omitempty"`
	ITL           *Timing `json:"itl,omitempty"`
	E2EL          *Timing `json:"e2el,omitempty"`

	// Gauges sampled while the rounds ran: requests running and waiting
	// (summed over data-parallel engines) and KV-cache usage in percent
	// (the fullest engine).
	RunningRequests *Gauge `json:"running_requests,omitempty"`
	WaitingRequests *Gauge `json:"waiting_requests,omitempty"`
	KVCacheUsagePct *Gauge `json:"kv_cache_usage_pct,omitempty"`

	// Sim is what the simulator says of its own engine loop over the
	// rounds; absent for a real server.
	Sim *SimLoop `json:"sim,omitempty"`
}

// SimLateBoundPct bounds the share of the simulator's engine steps, over a
// point's rounds, that released their tokens late (sim:late_steps_total):
// past it the simulated timing is not faithful on this machine. Measured
// on a loaded 2-core machine (README, "Token timing at speed"), the share
// stayed at 3-19 % where the ITL/TPOT ratio matched speedup 1's (speedup 1,
// and speedup 10 with 8 streams), and reached 39-79 % where tokens left in
// bursts (ITL p50 near 0); a quarter lies between.
const SimLateBoundPct = 25.0

// SimLateMinSteps is the fewest late steps that make a point's simulator
// behind, so that one stall of the machine in a short point does not (the
// simulator's own warning asks as many of a window).
const SimLateMinSteps = 10

// SimLoop is the simulator's account of its engine loop over the timed
// rounds: how many steps released their tokens late, and by how much.
type SimLoop struct {
	// Steps and LateSteps count the engine steps whose tokens were
	// released, and those released late (later than a quarter of the step,
	// at least 100 us), over the rounds.
	Steps     float64 `json:"steps"`
	LateSteps float64 `json:"late_steps"`
	// LatePct is LateSteps per step, in percent.
	LatePct float64 `json:"late_pct"`
	// StepLagMeanMs is the mean wall time by which a step's tokens left
	// after their due time (sim:step_lag_seconds).
	StepLagMeanMs *float64 `json:"step_lag_mean_ms,omitempty"`
	// LoopLagPeakMs is the largest lag of the latest step seen by the
	// gauge samples (sim:loop_lag_seconds).
	LoopLagPeakMs *float64 `json:"loop_lag_peak_ms,omitempty"`
	// LateBoundPct is the bound LatePct is held to (SimLateBoundPct).
	LateBoundPct float64 `json:"late_bound_pct"`
	// Behind is true when LatePct exceeds LateBoundPct with at least
	// SimLateMinSteps late steps: the point's timings are not faithful.
	Behind bool `json:"behind"`
}

// Reason says, with the figures and the bound, how the simulator fell
// behind; "" when it kept up.
func (s *SimLoop) Reason() string {
	if s == nil || !s.Behind {
		return ""
	}
	lag := ""
	if s.StepLagMeanMs != nil {
		lag = fmt.Sprintf(", mean step lag %s ms", ms(*s.StepLagMeanMs))
	}
	if s.LoopLagPeakMs != nil {
		lag += fmt.Sprintf(", peak loop lag %s ms", ms(*s.LoopLagPeakMs))
	}
	return fmt.Sprintf("the simulator fell behind: %.0f of %.0f engine steps (%.1f %%) released their tokens late > %.0f %%%s; lower --sim-speedup",
		s.LateSteps, s.Steps, s.LatePct, s.LateBoundPct, lag)
}

// The simulator's own figures of its engine loop (internal/sim/metrics.go).
const (
	simStepsName     = "sim:steps_total"
	simLateStepsName = "sim:late_steps_total"
	simStepLagName   = "sim:step_lag_seconds"
	simLoopLagName   = "sim:loop_lag_seconds"
)

// Counter is a counter's increase over the rounds and that increase per
// finished request (absent when the server reports no requests).
type Counter struct {
	Delta      float64  `json:"delta"`
	PerRequest *float64 `json:"per_request,omitempty"`
}

// Timing is a histogram of seconds over the rounds: the number of
// observations, their sum and their mean in milliseconds.
type Timing struct {
	Count  float64 `json:"count"`
	SumS   float64 `json:"sum_s"`
	MeanMs float64 `json:"mean_ms"`
}

// Gauge is a gauge sampled while the rounds ran: its largest and mean
// value over the samples.
type Gauge struct {
	Peak    float64 `json:"peak"`
	Mean    float64 `json:"mean"`
	Samples int     `json:"samples"`
}

// Empty reports whether the block holds no quantity at all.
func (m ServerMetrics) Empty() bool { return m.Source == "" || m.Rounds == 0 && m.gaugeSamples() == 0 }

func (m ServerMetrics) gaugeSamples() int {
	n := 0
	for _, g := range []*Gauge{m.RunningRequests, m.WaitingRequests, m.KVCacheUsagePct} {
		if g != nil {
			n += g.Samples
		}
	}
	return n
}

// serverAcc folds scrapes into a ServerMetrics block. Its zero value is
// ready; it is not safe for concurrent use.
type serverAcc struct {
	// sharedHost holds the simulator's late steps to no bound (see
	// SharedHostVar).
	sharedHost bool
	d          dialect
	detected   bool
	rounds     int
	scrapes    int
	failed     int
	notes      []string

	counters   [numCounters]counterSum
	histograms [numHistograms]histogramSum
	gauges     [numGauges]gaugeSum

	// The simulator's engine loop: steps and late steps, step lag, loop
	// lag samples.
	simSteps, simLate counterSum
	simStepLag        histogramSum
	simLoopLag        gaugeSum
}

// counterSum is a counter's increase over the rounds; ok once a round saw
// the counter.
type counterSum struct {
	delta float64
	ok    bool
}

// histogramSum is a histogram's increase in count and sum over the rounds.
type histogramSum struct {
	count, sum float64
	ok         bool
}

// gaugeSum folds gauge samples: the largest, the sum and the number.
type gaugeSum struct {
	peak, sum float64
	n         int
}

// detect fixes the dialect from the first page that speaks one.
func (a *serverAcc) detect(s snapshot) bool {
	if !a.detected {
		a.d, a.detected = detectDialect(s)
	}
	return a.detected
}

// note records a reason once.
func (a *serverAcc) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, n := range a.notes {
		if n == msg {
			return
		}
	}
	a.notes = append(a.notes, msg)
}

// addGauges folds the gauges of one scrape taken while a round ran.
func (a *serverAcc) addGauges(s snapshot) {
	if !a.detect(s) {
		return
	}
	if v, ok := s.gauge([]string{simLoopLagName}, combineMax); ok && !math.IsNaN(v) {
		g := &a.simLoopLag
		if g.n == 0 || v > g.peak {
			g.peak = v
		}
		g.sum += v
		g.n++
	}
	for id := range numGauges {
		v, ok := s.gauge(a.d.gauges[id], gaugeCombines[id])
		if !ok || math.IsNaN(v) {
			continue
		}
		g := &a.gauges[id]
		if g.n == 0 || v > g.peak {
			g.peak = v
		}
		g.sum += v
		g.n++
	}
}

// addRound folds the counter and histogram deltas between the scrapes just
// before and just after one round. A counter that went backwards means the
// server restarted in between: the round's deltas are dropped with a note.
func (a *serverAcc) addRound(before, after snapshot) {
	if !a.detect(after) {
		return
	}
	var counters [numCounters]counterSum
	var histograms [numHistograms]histogramSum
	for id := range numCounters {
		v1, ok := after.counter(a.d.counters[id])
		if !ok {
			continue
		}
		// A labelled counter appears at its first increment: absent
		// before means zero before.
		v0, _ := before.counter(a.d.counters[id])
		if v1 < v0 {
			a.note("a counter went backwards during a round (server restarted?); the round's deltas are left out")
			return
		}
		counters[id].delta, counters[id].ok = v1-v0, true
	}
	for id := range numHistograms {
		c1, s1, ok := after.histogram(a.d.histograms[id])
		if !ok {
			continue
		}
		c0, s0, _ := before.histogram(a.d.histograms[id])
		if c1 < c0 {
			a.note("a histogram went backwards during a round (server restarted?); the round's deltas are left out")
			return
		}
		histograms[id].count, histograms[id].sum, histograms[id].ok = c1-c0, s1-s0, true
	}
	for id := range numCounters {
		if counters[id].ok {
			a.counters[id].delta += counters[id].delta
			a.counters[id].ok = true
		}
	}
	a.addSimRound(before, after)
	for id := range numHistograms {
		if histograms[id].ok {
			a.histograms[id].count += histograms[id].count
			a.histograms[id].sum += histograms[id].sum
			a.histograms[id].ok = true
		}
	}
	a.rounds++
}

// addSimRound folds the simulator's loop counters of one round, when the
// page has them.
func (a *serverAcc) addSimRound(before, after snapshot) {
	steps1, ok1 := after.counter([]string{simStepsName})
	late1, ok2 := after.counter([]string{simLateStepsName})
	if !ok1 || !ok2 {
		return
	}
	steps0, _ := before.counter([]string{simStepsName})
	late0, _ := before.counter([]string{simLateStepsName})
	if steps1 < steps0 || late1 < late0 {
		return // the counters of another process: the round's deltas are noted already
	}
	a.simSteps.delta += steps1 - steps0
	a.simLate.delta += late1 - late0
	a.simSteps.ok, a.simLate.ok = true, true
	if c1, s1, ok := after.histogram([]string{simStepLagName}); ok {
		c0, s0, _ := before.histogram([]string{simStepLagName})
		if c1 >= c0 {
			a.simStepLag.count += c1 - c0
			a.simStepLag.sum += s1 - s0
			a.simStepLag.ok = true
		}
	}
}

// simBlock is the SimLoop of the rounds, or nil when the server is not the
// simulator.
func (a *serverAcc) simBlock() *SimLoop {
	if !a.simSteps.ok {
		return nil
	}
	s := &SimLoop{Steps: a.simSteps.delta, LateSteps: a.simLate.delta, LateBoundPct: SimLateBoundPct}
	if a.sharedHost {
		s.LateBoundPct = sharedBoundPct
	}
	if s.Steps > 0 {
		s.LatePct = 100 * s.LateSteps / s.Steps
	}
	if h := a.simStepLag; h.ok && h.count > 0 {
		v := 1000 * h.sum / h.count
		s.StepLagMeanMs = &v
	}
	if g := a.simLoopLag; g.n > 0 {
		v := 1000 * g.peak
		s.LoopLagPeakMs = &v
	}
	s.Behind = s.LatePct > s.LateBoundPct && s.LateSteps >= SimLateMinSteps
	return s
}

// block builds the ServerMetrics block from what was folded so far.
func (a *serverAcc) block() ServerMetrics {
	m := ServerMetrics{Rounds: a.rounds, Scrapes: a.scrapes, FailedScrapes: a.failed}
	notes := a.notes
	if !a.detected && a.scrapes > 0 {
		notes = append(notes, "the server's /metrics has no vLLM, SGLang or llama.cpp metric names")
	}
	if len(notes) > 0 {
		m.Note = strings.Join(notes, "; ")
	}
	if !a.detected {
		return m
	}
	m.Source = a.d.source

	requests := math.NaN()
	if a.counters[cRequests].ok {
		requests = a.counters[cRequests].delta
	}
	counter := func(id counterID) *Counter {
		c := a.counters[id]
		if !c.ok {
			return nil
		}
		out := &Counter{Delta: c.delta}
		if requests > 0 {
			per := c.delta / requests
			out.PerRequest = &per
		}
		return out
	}
	if a.counters[cRequests].ok {
		m.Requests = &Counter{Delta: requests}
	}
	m.PromptTokens = counter(cPromptTokens)
	m.GenerationTokens = counter(cGenerationTokens)
	m.Preemptions = counter(cPreemptions)
	m.PrefixCacheQueriedTokens = counter(cPrefixQueries)
	m.PrefixCacheHitTokens = counter(cPrefixHits)
	if q, h := m.PrefixCacheQueriedTokens, m.PrefixCacheHitTokens; q != nil && h != nil && q.Delta > 0 {
		pct := 100 * h.Delta / q.Delta
		m.PrefixCacheHitPct = &pct
	}

	m.PromptSeconds = counter(cPromptSeconds)
	m.GenerationSeconds = counter(cGenerationSeconds)
	m.PromptMsPerToken = perToken(m.PromptSeconds, m.PromptTokens)
	m.GenerationMsPerToken = perToken(m.GenerationSeconds, m.GenerationTokens)

	timing := func(id histogramID) *Timing {
		h := a.histograms[id]
		if !h.ok {
			return nil
		}
		t := &Timing{Count: h.count, SumS: h.sum}
		if h.count > 0 {
			t.MeanMs = 1000 * h.sum / h.count
		}
		return t
	}
	m.QueueTime = timing(hQueue)
	m.PrefillTime = timing(hPrefill)
	m.DecodeTime = timing(hDecode)
	m.InferenceTime = timing(hInference)
	m.TTFT = timing(hTTFT)
	m.ITL = timing(hITL)
	m.E2EL = timing(hE2EL)

	gauge := func(id gaugeID, scale float64) *Gauge {
		g := a.gauges[id]
		if g.n == 0 {
			return nil
		}
		return &Gauge{Peak: scale * g.peak, Mean: scale * g.sum / float64(g.n), Samples: g.n}
	}
	m.RunningRequests = gauge(gRunning, 1)
	m.WaitingRequests = gauge(gWaiting, 1)
	m.KVCacheUsagePct = gauge(gKVUsage, 100) // the servers report a fraction
	m.Sim = a.simBlock()
	return m
}

// perToken is seconds per token in milliseconds; nil without both counters
// or without tokens.
func perToken(seconds, tokens *Counter) *float64 {
	if seconds == nil || tokens == nil || tokens.Delta <= 0 {
		return nil
	}
	ms := 1000 * seconds.Delta / tokens.Delta
	return &ms
}
