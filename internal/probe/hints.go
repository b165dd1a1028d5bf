package probe

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// MaxHints is the most phrases a hint line holds.
const MaxHints = 3

// MinHintChange is the smallest relative change of a server quantity that a
// hint names.
const MinHintChange = 0.10

// MinGaugeSamples is the fewest gauge samples on each side for a hint
// about a gauge: fewer are a snapshot of a moment, not of the point.
const MinGaugeSamples = 3

// ClockSuspectChange is the relative difference of an SM clock median from
// the baseline's beyond which the current point is suspect.
const ClockSuspectChange = 0.05

// Observation is what the probes saw while one point ran; either block may
// be nil (not sampled, or a file written before the blocks existed).
type Observation struct {
	Server *ServerMetrics
	GPU    *GPUTelemetry
}

// Hints is what a comparison of a point's observation with its baseline's
// found: a few phrases naming the largest changes, and whether the point
// is suspect because its GPU was throttled while the baseline's was not.
type Hints struct {
	// Phrases name the largest changes, largest first, at most MaxHints;
	// a GPU that throttled comes first.
	Phrases []string `json:"phrases,omitempty"`
	// Suspect is set when a GPU of the current point was throttled, or ran
	// at an SM clock median more than ClockSuspectChange off the
	// baseline's, while the baseline's GPU was not throttled.
	Suspect bool `json:"suspect,omitempty"`
	// SuspectReason says which GPU and why.
	SuspectReason string `json:"suspect_reason,omitempty"`
}

// String joins the phrases into one line.
func (h Hints) String() string { return strings.Join(h.Phrases, ", ") }

// candidate is one phrase and how large the change it names is: the
// absolute log ratio for quantities, fixed ranks for zero bases and GPUs.
type candidate struct {
	phrase string
	score  float64
}

// Scores that rank a phrase regardless of its size.
const (
	scoreThrottled     = 1000 // a GPU throttled in one point and not the other
	scoreClock         = 500  // an SM clock median off by more than 5 %
	scoreFromZero      = 5    // a quantity that was zero on one side
	scoreWorkload      = 1    // added to a changed workload (tokens per request)
	weightClientMetric = 0.5  // TTFT and ITL restate the verdict; ranked lower
)

// Explain compares the current observation of a point with its baseline's.
// It is pure: the same blocks give the same hints.
func Explain(base, cur Observation) Hints {
	var h Hints
	var cands []candidate
	if base.Server != nil && cur.Server != nil && !base.Server.Empty() && !cur.Server.Empty() {
		cands = append(cands, serverCandidates(*base.Server, *cur.Server)...)
	}
	if cur.GPU != nil {
		var baseGPUs []GPUStats
		if base.GPU != nil {
			baseGPUs = base.GPU.GPUs
		}
		gpuCands, reason := gpuCandidates(baseGPUs, cur.GPU.GPUs)
		cands = append(cands, gpuCands...)
		h.Suspect, h.SuspectReason = reason != "", reason
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	for i := 0; i < len(cands) && i < MaxHints; i++ {
		h.Phrases = append(h.Phrases, cands[i].phrase)
	}
	return h
}

// serverCandidates lists the server quantities that changed enough.
func serverCandidates(b, c ServerMetrics) []candidate {
	var out []candidate
	add := func(phrase string, score float64) { out = append(out, candidate{phrase, score}) }

	for _, t := range []struct {
		name   string
		b, c   *Timing
		weight float64
	}{
		{"queue time", b.QueueTime, c.QueueTime, 1},
		{"prefill time", b.PrefillTime, c.PrefillTime, 1},
		{"decode time", b.DecodeTime, c.DecodeTime, 1},
		{"inference time", b.InferenceTime, c.InferenceTime, 1},
		{"server TTFT", b.TTFT, c.TTFT, weightClientMetric},
		{"server ITL", b.ITL, c.ITL, weightClientMetric},
	} {
		if t.b == nil || t.c == nil || t.b.Count == 0 || t.c.Count == 0 {
			continue
		}
		bv, cv := t.b.MeanMs, t.c.MeanMs
		switch {
		case bv == 0 && cv >= 1:
			add(t.name+" 0 -> "+fmtNum(cv)+" ms", scoreFromZero*t.weight)
		case bv > 0 && math.Abs(cv/bv-1) >= MinHintChange:
			rel := cv/bv - 1
			phrase := t.name + " " + fmtChange(rel)
			if rel >= 5 || cv == 0 {
				phrase = t.name + " " + fmtNum(bv) + " -> " + fmtNum(cv) + " ms"
			}
			add(phrase, logScore(bv, cv)*t.weight)
		}
	}

	if b.Preemptions != nil && c.Preemptions != nil {
		bv, cv := b.Preemptions.Delta, c.Preemptions.Delta
		br, cr := bv, cv // compare rates per request where both have them
		if b.Preemptions.PerRequest != nil && c.Preemptions.PerRequest != nil {
			br, cr = *b.Preemptions.PerRequest, *c.Preemptions.PerRequest
		}
		phrase := "preemptions " + fmtNum(bv) + " -> " + fmtNum(cv)
		switch {
		case (br == 0) != (cr == 0):
			add(phrase, scoreFromZero+1) // the clearest cause: ahead of its symptoms
		case br > 0 && math.Abs(cr/br-1) >= MinHintChange:
			add(phrase, logScore(br, cr))
		}
	}

	for _, g := range []struct {
		name      string
		b, c      *Gauge
		mean, pct bool
		minDiff   float64
	}{
		{"KV usage peak", b.KVCacheUsagePct, c.KVCacheUsagePct, false, true, 5},
		{"waiting requests peak", b.WaitingRequests, c.WaitingRequests, false, false, 1},
		{"running requests mean", b.RunningRequests, c.RunningRequests, true, false, 1},
	} {
		if g.b == nil || g.c == nil || g.b.Samples < MinGaugeSamples || g.c.Samples < MinGaugeSamples {
			continue
		}
		bv, cv := g.b.Peak, g.c.Peak
		if g.mean {
			bv, cv = g.b.Mean, g.c.Mean
		}
		if math.Abs(cv-bv) < g.minDiff || bv > 0 && math.Abs(cv/bv-1) < MinHintChange {
			continue
		}
		f := fmtNum
		if g.pct {
			f = fmtPct
		}
		score := float64(scoreFromZero)
		if bv > 0 && cv > 0 {
			score = logScore(bv, cv)
		}
		add(g.name+" "+f(bv)+" -> "+f(cv), score)
	}

	for _, p := range []struct {
		name string
		b, c *float64
	}{
		{"server prompt time per token", b.PromptMsPerToken, c.PromptMsPerToken},
		{"server generation time per token", b.GenerationMsPerToken, c.GenerationMsPerToken},
	} {
		if p.b == nil || p.c == nil || *p.b <= 0 || *p.c <= 0 {
			continue
		}
		if bv, cv := *p.b, *p.c; math.Abs(cv/bv-1) >= MinHintChange {
			add(p.name+" "+fmtChange(cv/bv-1), logScore(bv, cv))
		}
	}

	if b.PrefixCacheHitPct != nil && c.PrefixCacheHitPct != nil {
		bv, cv := *b.PrefixCacheHitPct, *c.PrefixCacheHitPct
		if math.Abs(cv-bv) >= 5 {
			add("prefix-cache hit rate "+fmtPct(bv)+" -> "+fmtPct(cv), logScore(bv+1, cv+1))
		}
	}

	for _, w := range []struct {
		name string
		b, c *Counter
	}{
		{"prompt tokens per request", b.PromptTokens, c.PromptTokens},
		{"generation tokens per request", b.GenerationTokens, c.GenerationTokens},
	} {
		if w.b == nil || w.c == nil || w.b.PerRequest == nil || w.c.PerRequest == nil || *w.b.PerRequest == 0 {
			continue
		}
		bv, cv := *w.b.PerRequest, *w.c.PerRequest
		if math.Abs(cv/bv-1) >= MinHintChange/2 {
			add(w.name+" "+fmtNum(bv)+" -> "+fmtNum(cv), scoreWorkload+logScore(bv, cv))
		}
	}
	return out
}

// gpuCandidates compares GPUs by position (the runs may have had different
// GPUs, with different UUIDs, at the same place). reason is set when the
// current point is suspect.
func gpuCandidates(base, cur []GPUStats) (out []candidate, reason string) {
	for i, c := range cur {
		var b *GPUStats
		if i < len(base) {
			b = &base[i]
		}
		label := "GPU " + strconv.Itoa(c.Index)
		clock := ""
		clockOff := false
		if b != nil && b.SMClockMHz != nil && c.SMClockMHz != nil && b.SMClockMHz.Median > 0 {
			clockOff = math.Abs(c.SMClockMHz.Median/b.SMClockMHz.Median-1) > ClockSuspectChange
			if clockOff {
				clock = "SM clock median " + fmtNum(c.SMClockMHz.Median) + " vs " + fmtNum(b.SMClockMHz.Median) + " MHz"
			}
		}
		baseThrottled := b != nil && b.Throttled()
		var phrase string
		switch {
		case c.Throttled() && !baseThrottled:
			phrase = label + " throttled (" + strings.Join(c.throttleKinds(), ", ") + ") " + fmtPct(c.ThrottlePct) + " of the point"
			if clock != "" {
				phrase += ", " + clock
			}
			out = append(out, candidate{phrase, scoreThrottled})
			if reason == "" {
				reason = phrase
			}
		case baseThrottled && !c.Throttled():
			phrase = label + " throttled (" + strings.Join(b.throttleKinds(), ", ") + ") " + fmtPct(b.ThrottlePct) + " of the baseline's point"
			if clock != "" {
				phrase += ", " + clock
			}
			out = append(out, candidate{phrase, scoreThrottled})
		case clockOff:
			phrase = label + " " + clock
			out = append(out, candidate{phrase, scoreClock})
			if !baseThrottled && reason == "" {
				reason = phrase
			}
		}
		if b != nil && b.MemoryUsedMiB != nil && c.MemoryUsedMiB != nil && b.MemoryUsedMiB.Median > 0 {
			bv, cv := b.MemoryUsedMiB.Median, c.MemoryUsedMiB.Median
			if math.Abs(cv/bv-1) >= MinHintChange {
				out = append(out, candidate{label + " memory used " + fmtNum(cv) + " vs " + fmtNum(bv) + " MiB", logScore(bv, cv)})
			}
		}
	}
	return out, reason
}

// logScore is the size of a change from b to c, both positive, symmetric
// for increases and decreases.
func logScore(b, c float64) float64 {
	if b <= 0 || c <= 0 {
		return scoreFromZero
	}
	return math.Abs(math.Log(c / b))
}
