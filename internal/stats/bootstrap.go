package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Bootstrap defaults.
const (
	// DefaultResamples is the number of bootstrap resamples: enough for a
	// stable 95% percentile interval (its ends move by well under a tenth of
	// their width between seeds) while a 1000-sample comparison still takes
	// a few milliseconds.
	DefaultResamples = 1000
	// DefaultLevel is the confidence level of intervals.
	DefaultLevel = 0.95
)

// BootstrapOptions configures BootstrapRelChange. The zero value means the
// median, DefaultResamples, DefaultLevel and seed 0.
type BootstrapOptions struct {
	// Quantile is the statistic compared, as a quantile in (0, 1]; zero
	// means the median (0.5).
	Quantile float64
	// Resamples is the number of resamples; zero means DefaultResamples.
	Resamples int
	// Level is the confidence level; zero means DefaultLevel.
	Level float64
	// Seed makes the interval reproducible: the same inputs and seed give
	// the same interval.
	Seed uint64
}

func (o BootstrapOptions) withDefaults() BootstrapOptions {
	if o.Quantile == 0 {
		o.Quantile = 0.5
	}
	if o.Resamples <= 0 {
		o.Resamples = DefaultResamples
	}
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	return o
}

// BootstrapRelChange returns a percentile bootstrap confidence interval of
// the relative change q(cur)/q(base) - 1 of the quantile statistic q. The two
// samples are resampled independently. Each resample's quantile is found by
// counting how often each index of the sorted sample is drawn, so a resample
// costs O(n) with no sorting.
func BootstrapRelChange(base, cur []float64, opts BootstrapOptions) (Interval, error) {
	if len(base) == 0 || len(cur) == 0 {
		return Interval{}, fmt.Errorf("bootstrap: %w", ErrEmptySample)
	}
	opts = opts.withDefaults()
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	b := newResampler(base, opts.Quantile)
	c := newResampler(cur, opts.Quantile)
	changes := make([]float64, 0, opts.Resamples)
	for range opts.Resamples {
		qb := b.draw(rng)
		qc := c.draw(rng)
		if qb == 0 {
			continue
		}
		changes = append(changes, qc/qb-1)
	}
	if len(changes) == 0 {
		return Interval{}, fmt.Errorf("bootstrap: the baseline statistic is zero in every resample")
	}
	slices.Sort(changes)
	tail := (1 - opts.Level) / 2
	return Interval{
		Lo:    quantileSorted(changes, tail),
		Hi:    quantileSorted(changes, 1-tail),
		Level: opts.Level,
	}, nil
}

// resampler draws the quantile of bootstrap resamples of one sample.
type resampler struct {
	sorted []float64
	counts []int32
	lo     int     // rank (0-based) of the lower order statistic
	frac   float64 // interpolation weight towards rank lo+1
}

func newResampler(xs []float64, q float64) *resampler {
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	lo, frac := quantilePos(len(sorted), q)
	return &resampler{sorted: sorted, counts: make([]int32, len(sorted)), lo: lo, frac: frac}
}

// draw returns the quantile of one resample with replacement.
func (r *resampler) draw(rng *rand.Rand) float64 {
	n := len(r.sorted)
	clear(r.counts)
	// Two indices per 64-bit draw, each by a 32-bit multiply-shift; the
	// bias (at most n/2^32) is far below the bootstrap's own error.
	un := uint64(n)
	for i := 0; i < n; i += 2 {
		v := rng.Uint64()
		r.counts[(v&0xffffffff)*un>>32]++
		if i+1 < n {
			r.counts[(v>>32)*un>>32]++
		}
	}
	// Walk the sorted values by multiplicity to find the values of ranks lo
	// and lo+1 of the resample.
	vLo, vHi := math.NaN(), math.NaN()
	seen := 0
	for i, c := range r.counts {
		seen += int(c)
		if math.IsNaN(vLo) && seen > r.lo {
			vLo = r.sorted[i]
		}
		if seen > r.lo+1 {
			vHi = r.sorted[i]
			break
		}
	}
	if r.frac == 0 || math.IsNaN(vHi) {
		return vLo
	}
	return vLo + r.frac*(vHi-vLo)
}
