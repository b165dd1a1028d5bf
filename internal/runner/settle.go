package runner

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
)

// Early stop of a point (bench.precision): a timed round sends no more
// requests once each watched latency median is pinned down, its 95 %
// interval within its target (±precision of it, or with precision auto
// ±its run-to-run CV), each watched throughput's window long enough (see
// windowed), and at least min_prompts requests are done. The
// interval is the distribution-free one of order statistics, so no shape
// is assumed; it is the precision of this round's median, not the spread
// from one server start to the next, which the gate judges.
//
// Why auto's target is the run-to-run CV: the gate's decision interval
// for a change has the standard error sqrt(2·cv² + w²), cv the metric's
// run-to-run CV and w this run's own error of the median; a 95 %
// half-width of cv gives w = cv/1.96, which widens that interval by
// sqrt(1 + 1/(2·1.96²)) - 1, about 6 %, over sending requests for ever.
// Requests past that buy almost nothing: the noise between server starts
// dominates.

// settleZ is the normal quantile of a two-sided 95 % interval.
const settleZ = 1.959964

// latencyOf gives, for each latency median bench.precision can watch, the
// values a request contributes to it, in seconds.
var latencyOf = map[string]func(rec *loadgen.Record, add func(float64)){
	"median_ttft_ms": func(rec *loadgen.Record, add func(float64)) { add(rec.TTFTS) },
	"median_e2el_ms": func(rec *loadgen.Record, add func(float64)) { add(rec.LatencyS) },
	"median_tpot_ms": func(rec *loadgen.Record, add func(float64)) {
		if rec.CompletionTokens > 1 {
			add((rec.LatencyS - rec.TTFTS) / float64(rec.CompletionTokens-1))
		}
	},
	"median_itl_ms": func(rec *loadgen.Record, add func(float64)) {
		for _, gap := range rec.ITLsS {
			add(float64(gap))
		}
	},
}

// windowed are the throughputs bench.precision guards. Every round ends
// with a drain: after the last send the requests in flight finish one by
// one while fewer and fewer run, and the throughput, the rate over the
// whole window, comes out low by about concurrency/(2·requests), the
// drain's share of the window. A full round and one stopped early carry
// different shares, so a gated throughput holds a round on until that
// share is within its target: at least concurrency/(2·target) requests
// (the 8 % share of 400 requests at concurrency 64 against the 16 % of
// 200). Measured on the simulator at concurrency 32: rounds stopped after
// 135 requests read 2-5 % below rounds of 200.
var windowed = map[string]bool{
	"output_throughput": true, "request_throughput": true, "total_token_throughput": true, "request_goodput": true,
}

// Watched are the metrics of a gate that bench.precision watches: its
// latency medians and its throughputs, in the gate's order.
func Watched(gated []string) []string {
	var out []string
	for _, m := range gated {
		if _, ok := latencyOf[m]; ok || windowed[m] {
			out = append(out, m)
		}
	}
	return out
}

// medianHalfWidth returns the relative half-width of the 95 % interval of
// the median of sorted values: the farther of the interval's order
// statistics from the median, over the median. +Inf when there are too
// few values for the interval or the median is not positive.
func medianHalfWidth(sorted []float64) float64 {
	n := len(sorted)
	half := settleZ * math.Sqrt(float64(n)) / 2
	lo := int(math.Floor(float64(n)/2-half)) - 1 // 1-based rank to index
	hi := int(math.Ceil(1+float64(n)/2+half)) - 1
	if n == 0 || lo < 0 || hi >= n {
		return math.Inf(1)
	}
	med := sorted[n/2]
	if n%2 == 0 {
		med = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	if med <= 0 {
		return math.Inf(1)
	}
	return max(med-sorted[lo], sorted[hi]-med) / med
}

// settler follows one timed round and says when it has sent enough. add
// runs on the round's sink goroutine, enough on its dispatcher's.
type settler struct {
	min         int
	concurrency int
	watch       []string
	targets     map[string]float64 // what each watched metric's error must reach

	mu     sync.Mutex
	values map[string][]float64
	done   int
	met    bool
	reason string
}

// newSettler follows the metrics of watch, each to its target in targets
// (a relative error: a median's 95 % half-width, a throughput's drain
// share at this concurrency; a metric without a positive target never
// settles).
func newSettler(minPrompts, concurrency int, watch []string, targets map[string]float64) *settler {
	return &settler{min: minPrompts, concurrency: concurrency, watch: watch, targets: targets, values: map[string][]float64{}}
}

// add records a finished request and judges the medians again.
func (s *settler) add(rec loadgen.Record) {
	if !rec.OK() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.watch {
		if add := latencyOf[m]; add != nil {
			add(&rec, func(v float64) { s.values[m] = append(s.values[m], v) })
		}
	}
	s.done++
	if s.met || s.done < s.min || len(s.watch) == 0 {
		return
	}
	parts := make([]string, 0, len(s.watch))
	for _, m := range s.watch {
		w, target := s.err(m), s.targets[m]
		if !(target > 0) || w > target {
			return
		}
		parts = append(parts, fmt.Sprintf("%s ±%.1f%%", m, 100*w))
	}
	s.met = true
	s.reason = fmt.Sprintf("%s after %d requests (at least %d; %s)", strings.Join(parts, ", "), s.done, s.min, s.targetText())
}

// err is a watched metric's relative error now: a median's 95 %
// half-width, a throughput's drain share.
func (s *settler) err(m string) float64 {
	if windowed[m] {
		return float64(s.concurrency) / float64(2*s.done)
	}
	// Sorted in place: only the values added since the last look are out
	// of order, which pdqsort takes in about linear time.
	slices.Sort(s.values[m])
	return medianHalfWidth(s.values[m])
}

// targetText names the targets: "precision ±2%" when the medians share
// one, else each median's.
func (s *settler) targetText() string {
	parts := make([]string, 0, len(s.watch))
	same := true
	for _, m := range s.watch {
		parts = append(parts, fmt.Sprintf("%s ±%s%%", m, percent(s.targets[m])))
		same = same && s.targets[m] == s.targets[s.watch[0]]
	}
	if same && len(s.watch) > 0 {
		return "precision ±" + percent(s.targets[s.watch[0]]) + "%"
	}
	return "targets " + strings.Join(parts, ", ")
}

// percent prints a fraction as a percentage with up to two significant
// digits: 0.02 as 2, 0.157 as 16.
func percent(f float64) string { return sigfig.Trim(100*f, 2) }

// enough reports whether the round may stop sending.
func (s *settler) enough() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.met
}

// why says why the round ended, once it has: sent of numPrompts requests.
func (s *settler) why(sent, numPrompts int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case sent < numPrompts && s.met:
		return "settled: " + s.reason
	case len(s.watch) == 0:
		return "all num_prompts sent: no gated latency median or throughput to watch"
	case s.met:
		return "all num_prompts sent; settled as the last was sent: " + s.reason
	}
	return "all num_prompts sent before the watched metrics settled (" + s.targetText() + ")"
}
