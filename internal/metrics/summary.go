package metrics

import (
	"cmp"
	"math"
	"slices"
)

// Summary is the outcome of one round, or of several pooled, with vLLM's
// definitions. Latency statistics are in milliseconds, per-request arrays in
// seconds, in send order; failed requests are counted in Failed, left out of
// every statistic, and appear in the arrays with zeros and their error.
type Summary struct {
	// Completed and Failed count the requests that succeeded and failed.
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
	// DurationS runs from the origin (just before the first request was
	// dispatched) to the end of the last request; pooled, it is the sum of
	// the rounds' durations.
	DurationS float64 `json:"duration_s"`
	// TotalInputTokens and TotalOutputTokens sum usage.prompt_tokens and
	// usage.completion_tokens over the completed requests.
	TotalInputTokens  int `json:"total_input_tokens"`
	TotalOutputTokens int `json:"total_output_tokens"`
	// RequestThroughput is completed requests per second of DurationS.
	RequestThroughput float64 `json:"request_throughput"`
	// OutputThroughput is output tokens per second of DurationS.
	OutputThroughput float64 `json:"output_throughput"`
	// TotalTokenThroughput is input plus output tokens per second.
	TotalTokenThroughput float64 `json:"total_token_throughput"`
	// RequestGoodput is requests meeting every SLO per second; nil when no
	// SLO was set.
	RequestGoodput *float64 `json:"request_goodput"`
	// MaxOutputTokensPerS is the most chunk messages (vLLM counts messages,
	// not tokens) in one 1-second bin counted from the earliest successful
	// start; pooled, the highest of the rounds'.
	MaxOutputTokensPerS float64 `json:"max_output_tokens_per_s"`
	// MaxConcurrentRequests is vLLM's peak concurrency: the most successful
	// requests active in one 1-second bin (see maxConcurrent); pooled, the
	// highest of the rounds'.
	MaxConcurrentRequests int `json:"max_concurrent_requests"`
	// PeakConcurrentRequests is the exact peak: the most successful requests
	// in flight at one instant (a request that ends as another starts is
	// not counted with it); pooled, the highest of the rounds'.
	PeakConcurrentRequests int `json:"peak_concurrent_requests"`
	// TTFT, TPOT, ITL and E2EL are the latency statistics. TPOT is
	// (E2EL-TTFT)/(output tokens-1) over requests with more than one output
	// token; ITL pools every request's per-chunk gaps.
	TTFT Stats `json:"ttft"`
	TPOT Stats `json:"tpot"`
	ITL  Stats `json:"itl"`
	E2EL Stats `json:"e2el"`

	// InputLens and OutputLens are the prompt and completion tokens of
	// every request (output 0 when failed).
	InputLens  []int `json:"input_lens"`
	OutputLens []int `json:"output_lens"`
	// TTFTsS and LatenciesS are every request's TTFT and E2EL in seconds.
	TTFTsS     []float64 `json:"ttfts"`
	LatenciesS []float64 `json:"latencies"`
	// QueueS is every request's wait in the client between its scheduled
	// arrival and its send, in seconds.
	QueueS []float64 `json:"queue_times"`
	// Errors holds every request's error, "" for a success.
	Errors []string `json:"errors"`
	// ITLsS holds every request's ITLs in seconds; nil unless KeepITLs.
	ITLsS [][]float32 `json:"itls,omitempty"`
}

// Summary returns the summary of the records added so far.
func (a *Accumulator) Summary() Summary { return Pooled(a) }

// Pooled returns one summary of several rounds (the repeats of a point):
// the latency statistics pool the requests of every round; the counts and
// the tokens are totals; DurationS is the sum of the rounds' durations, so
// the throughputs are totals over total time; MaxOutputTokensPerS and
// MaxConcurrentRequests are the highest of the rounds'. The SLO and
// KeepITLs of the first part apply. Arrays list the rounds in order.
func Pooled(parts ...*Accumulator) Summary {
	var s Summary
	if len(parts) == 0 {
		return s
	}
	slo, keep := parts[0].SLO, parts[0].KeepITLs
	itls := &parts[0].itls
	if len(parts) > 1 {
		itls = &itlHist{}
		for _, p := range parts {
			itls.merge(&p.itls)
		}
	}
	s.ITL = itls.stats()
	n := 0
	for _, p := range parts {
		n += len(p.rows)
		s.DurationS += p.durationS
		s.MaxOutputTokensPerS = max(s.MaxOutputTokensPerS, p.maxChunksPerS())
		s.MaxConcurrentRequests = max(s.MaxConcurrentRequests, p.maxConcurrent())
		s.PeakConcurrentRequests = max(s.PeakConcurrentRequests, p.peakConcurrent())
	}
	s.InputLens = make([]int, 0, n)
	s.OutputLens = make([]int, 0, n)
	s.TTFTsS = make([]float64, 0, n)
	s.LatenciesS = make([]float64, 0, n)
	s.QueueS = make([]float64, 0, n)
	s.Errors = make([]string, 0, n)
	if keep {
		s.ITLsS = make([][]float32, 0, n)
	}
	var ttfts, tpots, e2els []float64
	good := 0
	for _, p := range parts {
		slices.SortStableFunc(p.rows, func(a, b row) int { return a.index - b.index })
		for i := range p.rows {
			r := &p.rows[i]
			s.InputLens = append(s.InputLens, r.inputTokens)
			s.OutputLens = append(s.OutputLens, r.outputTokens)
			s.TTFTsS = append(s.TTFTsS, r.ttftS)
			s.LatenciesS = append(s.LatenciesS, r.latencyS)
			s.QueueS = append(s.QueueS, r.queueS)
			s.Errors = append(s.Errors, r.err)
			if keep {
				s.ITLsS = append(s.ITLsS, r.itls)
			}
			if !r.ok() {
				s.Failed++
				continue
			}
			s.Completed++
			s.TotalInputTokens += r.inputTokens
			s.TotalOutputTokens += r.outputTokens
			tpotS := 0.0 // vLLM's value for goodput when there is one token
			if r.outputTokens > 1 {
				tpotS = (r.latencyS - r.ttftS) / float64(r.outputTokens-1)
				tpots = append(tpots, tpotS)
			}
			ttfts = append(ttfts, r.ttftS)
			e2els = append(e2els, r.latencyS)
			if slo.good(r.ttftS, tpotS, r.latencyS) {
				good++
			}
		}
	}
	s.TTFT, s.TPOT, s.E2EL = Describe(ttfts), Describe(tpots), Describe(e2els)
	if s.DurationS > 0 {
		s.RequestThroughput = float64(s.Completed) / s.DurationS
		s.OutputThroughput = float64(s.TotalOutputTokens) / s.DurationS
		s.TotalTokenThroughput = float64(s.TotalInputTokens+s.TotalOutputTokens) / s.DurationS
	}
	if slo.Set() {
		g := 0.0
		if s.DurationS > 0 {
			g = float64(good) / s.DurationS
		}
		s.RequestGoodput = &g
	}
	return s
}

// peakConcurrent returns the most successful requests in flight at one
// instant: a sweep over starts and ends in time order, an end before a
// start at the same instant.
func (a *Accumulator) peakConcurrent() int {
	type event struct {
		atS   float64
		delta int
	}
	events := make([]event, 0, 2*len(a.rows))
	for i := range a.rows {
		if r := &a.rows[i]; r.ok() {
			events = append(events, event{r.startS, +1}, event{r.startS + r.latencyS, -1})
		}
	}
	slices.SortFunc(events, func(x, y event) int {
		if c := cmp.Compare(x.atS, y.atS); c != 0 {
			return c
		}
		return x.delta - y.delta // -1 (an end) first
	})
	inFlight, peak := 0, 0
	for _, e := range events {
		inFlight += e.delta
		peak = max(peak, inFlight)
	}
	return peak
}

// maxChunksPerS returns the fullest 1-second bin of chunk messages, the
// bins counted from the earliest start of a successful request. Chunks are
// kept per millisecond, so a chunk within 1 ms of a bin edge may be counted
// in the neighbouring bin when that start is not on a millisecond.
func (a *Accumulator) maxChunksPerS() float64 {
	first := -1.0
	for i := range a.rows {
		if r := &a.rows[i]; r.ok() && (first < 0 || r.startS < first) {
			first = r.startS
		}
	}
	if first < 0 {
		return 0
	}
	var best, bin uint64
	from := int(first * 1000)
	for ms := from; ms < len(a.chunksMs); ms++ {
		if (ms-from)%1000 == 0 {
			bin = 0
		}
		bin += uint64(a.chunksMs[ms])
		best = max(best, bin)
	}
	return float64(best)
}

// maxConcurrent returns vLLM's peak concurrency: 1-second bins counted from
// the earliest successful start, each successful request counted in every
// bin from the one holding its start to the one holding its end (both
// included), and the fullest bin. This is what `vllm bench serve` reports,
// not the most requests in flight at one instant: a request that ends in a
// second where another starts counts with it.
func (a *Accumulator) maxConcurrent() int {
	first, last := -1.0, 0.0
	for i := range a.rows {
		if r := &a.rows[i]; r.ok() {
			if first < 0 || r.startS < first {
				first = r.startS
			}
			last = max(last, r.startS+r.latencyS)
		}
	}
	if first < 0 {
		return 0
	}
	bins := make([]int, int(math.Ceil(last-first))+1)
	for i := range a.rows {
		if r := &a.rows[i]; r.ok() {
			for sec := int(r.startS - first); sec <= int(r.startS+r.latencyS-first) && sec < len(bins); sec++ {
				bins[sec]++
			}
		}
	}
	best := 0
	for _, n := range bins {
		best = max(best, n)
	}
	return best
}
