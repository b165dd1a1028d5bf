package sim

// gpuSpec holds the roofline constants of one simulated accelerator (dense
// bf16, SXM parts where there is a choice).
type gpuSpec struct {
	name       string  // as vLLM's logs would name the device
	peakTFLOPS float64 // dense bf16 tensor-core peak
	hbmTBps    float64 // memory bandwidth
	memoryGiB  float64 // device memory as torch reports it
	linkGBps   float64 // per-GPU interconnect bandwidth for all-reduce
}

// lookupGPU returns the spec for a --sim-gpu value.
func lookupGPU(name string) (gpuSpec, bool) {
	switch name {
	case "h100":
		return gpuSpec{"NVIDIA H100 80GB HBM3", 989, 3.35, 79.19, 450}, true
	case "h200":
		return gpuSpec{"NVIDIA H200", 989, 4.8, 139.8, 450}, true
	case "a100":
		return gpuSpec{"NVIDIA A100-SXM4-80GB", 312, 2.04, 79.15, 300}, true
	case "l40s":
		return gpuSpec{"NVIDIA L40S", 362, 0.864, 44.4, 32}, true
	}
	return gpuSpec{}, false
}
