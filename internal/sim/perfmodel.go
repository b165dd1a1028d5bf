package sim

import (
	"math"
)

// Calibration constants of the performance model. They are chosen so that
// the defaults (a 7B bf16 model on one H100) land near published vLLM
// figures: about 7-8 ms per decode step at batch 1, 12-13 ms at 256 running
// requests with short contexts, and about 60 ms TTFT for a 1.4k-token
// prefill.
const (
	// computeEfficiency is the share of peak FLOP/s that a step reaches
	// (published prefill figures sit at 35-55%).
	computeEfficiency = 0.35
	// memoryEfficiency is the share of HBM bandwidth that a step reaches
	// (measured decode sits at 65-75% of the bandwidth floor).
	memoryEfficiency = 0.75
	// stepOverheadS is the fixed cost of a step: scheduling, sampling,
	// detokenizing and the Python around them.
	stepOverheadS = 0.002
	// allReduceLatencyS is the fixed latency of one tensor-parallel
	// all-reduce; a layer does two.
	allReduceLatencyS = 7e-6
	// ppStageLatencyS is the cost of handing activations from one pipeline
	// stage to the next.
	ppStageLatencyS = 0.0003
	// activationReserveGiB is the per-GPU memory kept for activations and
	// non-torch allocations (what vLLM's profiling run finds).
	activationReserveGiB = 1.5
	// kvBlockTokens is the size of one KV-cache block (vLLM's default
	// block size).
	kvBlockTokens = 16
	// headDim and gqaRatio describe the Llama-like shape from which layers,
	// width and KV bytes per token are derived: width = headDim x layers,
	// and grouped-query attention keeps 1/gqaRatio of the heads for K/V.
	headDim  = 128
	gqaRatio = 4
)

const gib = 1 << 30

// modelShape is a Llama-like dense transformer derived from its size.
type modelShape struct {
	params          float64 // parameters
	bytesPerParam   float64 // 2 for bf16/fp16, 4 for fp32
	layers          float64 // transformer layers (fractional: a model, not a checkpoint)
	hidden          float64 // model width
	weightBytes     float64 // all weights
	kvBytesPerToken float64 // K and V of all layers for one token
}

// newModelShape derives the shape from the size: params = 12 x layers x
// hidden^2 with hidden = headDim x layers. For 7B this gives 33 layers of
// width 4211 and 135 KiB of KV cache per token, close to Llama-3-8B's
// 32 x 4096 and 128 KiB.
func newModelShape(paramsB, bytesPerParam float64) modelShape {
	p := paramsB * 1e9
	layers := math.Cbrt(p / (12 * headDim * headDim))
	hidden := headDim * layers
	return modelShape{
		params:          p,
		bytesPerParam:   bytesPerParam,
		layers:          layers,
		hidden:          hidden,
		weightBytes:     p * bytesPerParam,
		kvBytesPerToken: 2 * layers * hidden / gqaRatio * bytesPerParam,
	}
}

// perfModel computes the duration of one engine step of one data-parallel
// replica (TP x PP GPUs). It is pure: no I/O, no randomness.
type perfModel struct {
	gpu   gpuSpec
	shape modelShape
	tp    int
	pp    int
}

// stepLoad is what one step computes.
type stepLoad struct {
	tokens        int // tokens processed: prefill chunks plus one per decoding sequence
	contextTokens int // KV entries read by attention, summed over the scheduled sequences
}

// peakFLOPS is the usable dense peak of one GPU for the dtype; fp32 runs
// on TF32 tensor cores at half the bf16 rate.
func (m perfModel) peakFLOPS() float64 {
	f := m.gpu.peakTFLOPS * 1e12
	if m.shape.bytesPerParam > 2 {
		f /= 2
	}
	return f
}

// computeS is the time the matrix multiplies take at computeEfficiency.
func (m perfModel) computeS(l stepLoad) float64 {
	return 2 * m.shape.params * float64(l.tokens) / (float64(m.tp) * m.peakFLOPS() * computeEfficiency)
}

// memoryS is the time to stream the weights and the KV cache read by the
// step from HBM at memoryEfficiency. Each TP rank reads its share; PP stages
// run one after the other, so together they read all weights once.
func (m perfModel) memoryS(l stepLoad) float64 {
	bytes := m.shape.weightBytes + float64(l.contextTokens)*m.shape.kvBytesPerToken
	return bytes / (float64(m.tp) * m.gpu.hbmTBps * 1e12 * memoryEfficiency)
}

// commS is the tensor-parallel all-reduce cost: two per layer, a fixed
// latency plus a ring all-reduce of the step's activations.
func (m perfModel) commS(l stepLoad) float64 {
	if m.tp <= 1 {
		return 0
	}
	tp := float64(m.tp)
	actBytes := float64(l.tokens) * m.shape.hidden * m.shape.bytesPerParam
	ring := 2 * (tp - 1) / tp * actBytes / (m.gpu.linkGBps * 1e9)
	return 2 * m.shape.layers * (allReduceLatencyS + ring)
}

// stepS is the duration of a step without noise: max(compute, memory) plus
// communication, pipeline hand-offs and the fixed overhead. An empty step
// costs nothing.
func (m perfModel) stepS(l stepLoad) float64 {
	if l.tokens <= 0 {
		return 0
	}
	return math.Max(m.computeS(l), m.memoryS(l)) + m.commS(l) +
		float64(m.pp-1)*ppStageLatencyS + stepOverheadS
}

// kvCapacity is what the memory left after weights and activations holds.
type kvCapacity struct {
	tokens           int     // KV-cache tokens per replica, whole blocks
	freeGiB          float64 // per-GPU memory available for the cache (may be <= 0)
	weightsGiBPerGPU float64
	usableGiBPerGPU  float64 // memory x gpu_memory_utilization
}

// capacity computes the per-replica KV-cache budget: per GPU, memory x
// utilization minus its share of the weights minus the activation reserve;
// each GPU holds 1/(TP x PP) of every token's KV entries.
func (m perfModel) capacity(utilization float64) kvCapacity {
	shards := float64(m.tp * m.pp)
	c := kvCapacity{
		usableGiBPerGPU:  m.gpu.memoryGiB * utilization,
		weightsGiBPerGPU: m.shape.weightBytes / shards / gib,
	}
	c.freeGiB = c.usableGiBPerGPU - c.weightsGiBPerGPU - activationReserveGiB
	if c.freeGiB <= 0 {
		return c
	}
	perToken := m.shape.kvBytesPerToken / shards
	c.tokens = int(c.freeGiB*gib/perToken) / kvBlockTokens * kvBlockTokens
	return c
}
