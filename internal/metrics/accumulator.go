package metrics

import (
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

// Accumulator folds the records of one round into a Summary. Its zero value
// is ready to use (no goodput objectives, no per-request ITLs kept); set its
// fields before the first Add. It is not safe for concurrent use.
type Accumulator struct {
	// SLO sets the goodput objectives; none gives a null goodput.
	SLO SLO
	// KeepITLs keeps every request's ITLs for the summary (save_detailed);
	// without it memory does not grow with the number of tokens.
	KeepITLs bool

	rows      []row
	itls      itlHist
	chunksMs  []uint32 // chunk messages of successful requests per millisecond since the origin
	durationS float64
}

// row is what the accumulator keeps of one request.
type row struct {
	index                           int
	startS, ttftS, latencyS, queueS float64
	inputTokens, outputTokens       int
	err                             string
	itls                            []float32 // only with KeepITLs
}

// ok reports whether the request succeeded.
func (r *row) ok() bool { return r.err == "" }

// Add folds one request's record in. Records may come in any order; their
// times count from a common origin.
func (a *Accumulator) Add(rec loadgen.Record) {
	a.durationS = max(a.durationS, rec.EndS, rec.StartS+rec.LatencyS)
	r := row{
		index:        rec.Index,
		startS:       rec.StartS,
		queueS:       rec.QueueS,
		inputTokens:  rec.PromptTokens,
		outputTokens: rec.CompletionTokens,
		err:          rec.Error,
	}
	if rec.OK() {
		r.ttftS, r.latencyS = rec.TTFTS, rec.LatencyS
		for _, gap := range rec.ITLsS {
			a.itls.add(float64(gap))
		}
		rec.ChunkTimesS(a.addChunk)
		if a.KeepITLs {
			r.itls = rec.ITLsS
		}
	} else {
		r.outputTokens = 0
	}
	a.rows = append(a.rows, r)
}

// addChunk counts one chunk message at atS seconds from the origin.
func (a *Accumulator) addChunk(atS float64) {
	ms := int(math.Floor(atS * 1000))
	if ms < 0 || ms >= maxChunkMs {
		return
	}
	for len(a.chunksMs) <= ms {
		a.chunksMs = append(a.chunksMs, 0)
	}
	a.chunksMs[ms]++
}

// maxChunkMs bounds the chunk-count timeline (about 28 hours of a round):
// chunks later than that are left out of max_output_tokens_per_s.
const maxChunkMs = 100_000_000
