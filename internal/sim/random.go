package sim

import (
	"math"
	"math/rand/v2"
)

// meanEOSTokens is the mean output length of a request that may stop at an
// EOS token (no ignore_eos): each token after min_tokens is an EOS with
// probability 1/meanEOSTokens.
const meanEOSTokens = 256

// splitmix64 is a fast, well-mixed hash of a 64-bit value; it derives
// independent streams and per-token ids from one seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns a generator for stream of seed.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix64(seed), splitmix64(seed^stream*0x2545f4914f6cdd1d)))
}

// speedFactor is the per-process multiplier of every step time, drawn once:
// log-normal with mean 1 and coefficient of variation about cv.
func speedFactor(rng *rand.Rand, cv float64) float64 {
	if cv <= 0 {
		return 1
	}
	sigma := math.Sqrt(math.Log1p(cv * cv))
	return math.Exp(sigma*rng.NormFloat64() - sigma*sigma/2)
}

// outputLength is where a sequence stops: maxTokens with ignore_eos,
// otherwise at the first EOS drawn after minTokens (geometric), never before
// minTokens or one token and never after maxTokens.
func outputLength(seed uint64, maxTokens, minTokens int, ignoreEOS bool) int {
	if ignoreEOS {
		return maxTokens
	}
	u := (float64(splitmix64(seed)>>11) + 0.5) / (1 << 53)
	extra := int(math.Floor(math.Log(u) / math.Log1p(-1.0/meanEOSTokens)))
	n := max(minTokens, 0) + 1 + extra
	return min(maxTokens, max(n, minTokens, 1))
}

// tokenAt is the ordinary id of the pos-th output token of choice index of a
// request with the given seed.
func tokenAt(seed uint64, index, pos int) int {
	h := splitmix64(seed ^ uint64(index)<<40 ^ uint64(pos))
	return firstOrdinaryID + int(h%ordinaryCount)
}
