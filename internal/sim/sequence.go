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
	firstTokenS float64
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

// blocksFor is the number of KV blocks that hold n tokens.
func blocksFor(n int) int { return (n + kvBlockTokens - 1) / kvBlockTokens }
