package sim

import (
	"fmt"
	"math"
)

// plan is what the simulated engine computes at start-up from the options:
// the performance model, the KV-cache budget and the scheduler limits of
// each data-parallel replica.
type plan struct {
	gpu           gpuSpec
	model         perfModel
	kv            kvCapacity
	batchedTokens int
	maxNumSeqs    int
	maxModelLen   int
	replicas      int
	kvOverridden  bool // the KV budget comes from --sim-kv-tokens
	drift         float64
}

// loadError is a start-up failure that vLLM would report while loading.
type loadError struct {
	oom bool // a CUDA out-of-memory error while loading weights (else a ValueError)
	msg string
}

func (e *loadError) Error() string { return e.msg }

// newPlan sizes the engine. It fails like vLLM when the weights do not fit
// (CUDA out of memory), when no memory is left for the KV cache, or when the
// cache cannot hold one request of max_model_len tokens.
func newPlan(o *options) (plan, error) {
	gpu, ok := lookupGPU(o.SimGPU)
	if !ok {
		return plan{}, fmt.Errorf("unknown GPU %q", o.SimGPU)
	}
	p := plan{
		gpu:           gpu,
		model:         perfModel{gpu: gpu, shape: newModelShape(o.SimParamsB, o.bytesPerParam()), tp: o.TensorParallel, pp: o.PipelineParallel},
		batchedTokens: o.batchedTokens(gpu),
		maxNumSeqs:    o.MaxNumSeqs,
		maxModelLen:   o.MaxModelLen,
		replicas:      o.DataParallel,
		drift:         o.SimDrift,
	}
	p.kv = p.model.capacity(o.GPUMemoryUtilization)
	if p.kv.weightsGiBPerGPU > gpu.memoryGiB*0.98 {
		return p, &loadError{oom: true, msg: oomMessage(gpu, p.kv.weightsGiBPerGPU)}
	}
	if p.kv.tokens <= 0 {
		return p, &loadError{msg: "No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine."}
	}
	if o.SimKVTokens > 0 {
		p.kv.tokens = o.SimKVTokens / kvBlockTokens * kvBlockTokens
		p.kvOverridden = true
		if p.kv.tokens < o.MaxModelLen {
			return p, &loadError{msg: fmt.Sprintf(
				"--sim-kv-tokens %d cannot hold one request of max_model_len (%d) tokens; pass --max-model-len %d or less, or a larger --sim-kv-tokens.",
				o.SimKVTokens, o.MaxModelLen, p.kv.tokens)}
		}
	}
	if p.kv.tokens < o.MaxModelLen {
		perTokenGiB := p.model.shape.kvBytesPerToken / float64(o.TensorParallel*o.PipelineParallel) / gib
		return p, &loadError{msg: fmt.Sprintf(
			"To serve at least one request with the models's max seq len (%d), (%.2f GiB KV cache is needed, which is larger than the available KV cache memory (%.2f GiB). Based on the available memory, the estimated maximum model length is %d. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
			o.MaxModelLen, float64(o.MaxModelLen)*perTokenGiB, p.kv.freeGiB, p.kv.tokens)}
	}
	return p, nil
}

// oomMessage is torch's out-of-memory error for weights that do not fit.
func oomMessage(gpu gpuSpec, needGiB float64) string {
	free := math.Max(0.1, gpu.memoryGiB*0.012)
	return fmt.Sprintf("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate %.2f GiB. GPU 0 has a total capacity of %.2f GiB of which %.2f GiB is free. Including non-PyTorch memory, this process has %.2f GiB memory in use. Of the allocated memory %.2f GiB is allocated by PyTorch, and %.2f MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
		math.Min(needGiB, 1.96), gpu.memoryGiB, free, gpu.memoryGiB-free, gpu.memoryGiB-free-0.4, 212.5)
}

// engineConfig returns the scheduler configuration of one replica.
func (p plan) engineConfig(scale float64) engineConfig {
	return engineConfig{
		model:            p.model,
		maxNumSeqs:       p.maxNumSeqs,
		maxBatchedTokens: p.batchedTokens,
		kvTokens:         p.kv.tokens,
		scale:            scale,
		drift:            p.drift,
		jitterCV:         stepJitterCV,
	}
}
