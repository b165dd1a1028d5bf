package loadgen

import (
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Schedule returns the arrival offsets of n requests from the start of a
// round. With rate <= 0 (vLLM's "inf") every request arrives at once. Else
// the gaps between arrivals are gamma distributed with shape burstiness and
// scale 1/(rate x burstiness), so the mean gap is 1/rate; burstiness 1 is a
// Poisson process, smaller values are burstier, larger ones more regular. A
// burstiness <= 0 or +Inf gives constant gaps of 1/rate. The first request
// arrives at 0 and request i after i gaps.
//
// The same (seed, n, rate, burstiness) always gives the same schedule.
// Unlike vLLM, the offsets are not rescaled to end at exactly n/rate: the
// arrival process stays a renewal process, whose total length varies with the
// seed as real traffic does.
func Schedule(seed int64, n int, rate, burstiness float64) []time.Duration {
	if n <= 0 {
		return nil
	}
	offsets := make([]time.Duration, n)
	if rate <= 0 || math.IsInf(rate, 1) || math.IsNaN(rate) {
		return offsets
	}
	gap := func() float64 { return 1 / rate }
	if burstiness > 0 && !math.IsInf(burstiness, 1) {
		g := distuv.Gamma{
			Alpha: burstiness,
			Beta:  rate * burstiness,                           // gonum's Beta is the rate, 1/scale
			Src:   rand.NewPCG(uint64(seed), 0x6c6f616467656e), // "loadgen"
		}
		gap = g.Rand
	}
	var atS float64
	for i := 1; i < n; i++ {
		atS += gap()
		offsets[i] = time.Duration(atS * float64(time.Second))
	}
	return offsets
}
