package sim

import "sync/atomic"

// sequence is one prompt being generated. The engine goroutine of its
// replica owns every field except aborted (set by the HTTP handler when the
// client goes away) and out (the handler's delivery state).
type sequence struct {
	promptTokens int     // tokens of the prompt
	maxTokens    int     // most tokens to generate
	stopAfter    int     // output length at which it ends (maxTokens, or earlier for an EOS)
	arrivalS     float64 // simulated arrival time

	computed    int // tokens whose KV entries are in the cache
	generated   int // output tokens so far
	blocks      int // KV blocks held
	scheduled   bool
	scheduledS  float64 // simulated start of the first step that scheduled it
	firstTokenS float64
	lastTokenS  float64 // simulated time of the latest output token
	itlS        float64 // gap between the latest two output tokens (0 before the second)
	finishS     float64
	finished    bool
	preemptions int

	aborted atomic.Bool
	out     *delivery // nil in pure tests
	index   int       // choice index within out
}

// pending is the number of known tokens not yet in the KV cache: the whole
// prompt (plus regenerated output after a preemption) while prefilling, one
// during decode.
func (s *sequence) pending() int { return s.promptTokens + s.generated - s.computed }

// finishReason is "length" when the sequence ran to maxTokens and "stop"
// when it drew an EOS first.
func (s *sequence) finishReason() string {
	if s.generated >= s.maxTokens {
		return "length"
	}
	return "stop"
}

// Request intervals as vLLM's metrics define them (simulated seconds). A
// preemption does not restart them: queue time ends at the first
// scheduling, and prefill, decode and inference include any recompute.

// queueS is the time from arrival to the first step that scheduled it.
func (s *sequence) queueS() float64 { return s.scheduledS - s.arrivalS }

// prefillS is the time from the first scheduling to the first token.
func (s *sequence) prefillS() float64 { return s.firstTokenS - s.scheduledS }

// decodeS is the time from the first token to the last.
func (s *sequence) decodeS() float64 { return s.lastTokenS - s.firstTokenS }

// inferenceS is the time from the first scheduling to the last token.
func (s *sequence) inferenceS() float64 { return s.lastTokenS - s.scheduledS }

// e2eS is the time from arrival to the last token.
func (s *sequence) e2eS() float64 { return s.finishS - s.arrivalS }

// tpotS is the mean time per output token after the first; 0 for a
// one-token output.
func (s *sequence) tpotS() float64 {
	if s.generated < 2 {
		return 0
	}
	return s.decodeS() / float64(s.generated-1)
}

// blocksFor is the number of KV blocks that hold n tokens.
func blocksFor(n int) int { return (n + kvBlockTokens - 1) / kvBlockTokens }
