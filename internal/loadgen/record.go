package loadgen

// Record is the outcome of one request. Times are in seconds; StartS and
// EndS count from the round's origin, the others from the request's send.
type Record struct {
	// Index is the request's position in send order within its round.
	Index int
	// QueueS is the time the request waited in the client between its
	// scheduled arrival and its send: with open-loop arrivals, the latency
	// that a full concurrency cap adds and that TTFT does not show.
	QueueS float64
	// StartS is the send time, just before the POST.
	StartS float64
	// EndS is when the request finished: its stream ended or it failed.
	EndS float64
	// TTFTS is the time to the first SSE message with non-empty choices.
	TTFTS float64
	// LatencyS (E2EL) is the time to the last SSE message with non-empty
	// choices.
	LatencyS float64
	// ITLsS holds one gap per later message with non-empty choices: the
	// time since the previous such message. A chunk of several tokens gives
	// one gap, as in vLLM.
	ITLsS []float32
	// PromptTokens is usage.prompt_tokens, or the prompt's intended length
	// when the server sent no usage.
	PromptTokens int
	// CompletionTokens is usage.completion_tokens, or the number of messages
	// with choices when the server sent no usage.
	CompletionTokens int
	// Usage is true when PromptTokens and CompletionTokens are the
	// server's own counts (the stream's usage).
	Usage bool
	// Retried is true when the server closed the kept-alive connection of
	// the first try before any byte of its answer and the request was sent
	// again on a fresh connection; StartS and the latencies count from the
	// second send.
	Retried bool
	// Error says why the request failed; "" means it succeeded.
	Error string
}

// OK reports whether the request succeeded.
func (r *Record) OK() bool { return r.Error == "" }

// ChunkTimesS calls fn with the time of every message with choices, in
// seconds from the round's origin: StartS + TTFTS, then one step per ITL.
func (r *Record) ChunkTimesS(fn func(atS float64)) {
	if !r.OK() {
		return
	}
	at := r.StartS + r.TTFTS
	fn(at)
	for _, gap := range r.ITLsS {
		at += float64(gap)
		fn(at)
	}
}
