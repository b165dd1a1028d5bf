//go:build !unix

package loadgen

// cpuNow returns zero: the CPU benchmarks measure only on unix.
func cpuNow() cpuUse { return cpuUse{} }
