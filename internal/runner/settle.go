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
// ±its run-to-run CV), and at least min_prompts requests are done. The
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

// WatchedMedians are the metrics of a gate that bench.precision watches:
// its latency medians, in the gate's order.
func WatchedMedians(gated []string) []string {
	var out []string
	for _, m := range gated {
		if _, ok := latencyOf[m]; ok {
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
	min     int
	watch   []string
	targets map[string]float64 // 95 % half-width each watched median must reach

	mu     sync.Mutex
	values map[string][]float64
	done   int
	met    bool
	reason string
}

// newSettler follows the medians of watch, each to its target in targets
// (a relative half-width; a median without a positive target never
// settles).
func newSettler(minPrompts int, watch []string, targets map[string]float64) *settler {
	return &settler{min: minPrompts, watch: watch, targets: targets, values: map[string][]float64{}}
}

// add records a finished request and judges the medians again.
func (s *settler) add(rec loadgen.Record) {
	if !rec.OK() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.watch {
		latencyOf[m](&rec, func(v float64) { s.values[m] = append(s.values[m], v) })
	}
	s.done++
	if s.met || s.done < s.min || len(s.watch) == 0 {
		return
	}
	parts := make([]string, 0, len(s.watch))
	for _, m := range s.watch {
		sorted := slices.Sorted(slices.Values(s.values[m]))
		w, target := medianHalfWidth(sorted), s.targets[m]
		if !(target > 0) || w > target {
			return
		}
		parts = append(parts, fmt.Sprintf("%s ±%.1f%%", m, 100*w))
	}
	s.met = true
	s.reason = fmt.Sprintf("%s after %d requests (at least %d; %s)", strings.Join(parts, ", "), s.done, s.min, s.targetText())
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
		return "all num_prompts sent: no gated latency median to watch"
	case s.met:
		return "all num_prompts sent; settled as the last was sent: " + s.reason
	}
	return "all num_prompts sent before the medians settled (" + s.targetText() + ")"
}
