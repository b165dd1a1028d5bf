package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// ExactMWULimit is the largest size of either sample for which MannWhitneyU
// uses the exact null distribution of U. Above it, or whenever the pooled
// samples contain ties, it uses the normal approximation with tie and
// continuity corrections, which is within about 0.001 of the exact p-value
// once both samples have 20 or more values.
const ExactMWULimit = 50

// ErrEmptySample is returned by tests that were given an empty sample.
var ErrEmptySample = errors.New("empty sample")

// MWUResult is the outcome of a two-sided Mann-Whitney U test.
type MWUResult struct {
	// U is the statistic of the first sample: the number of pairs (x, y)
	// with x > y, ties counting one half.
	U float64
	// P is the two-sided p-value.
	P float64
	// Exact is true when P comes from the exact null distribution rather
	// than the normal approximation.
	Exact bool
	// Ties is true when the pooled samples contain equal values.
	Ties bool
}

// MannWhitneyU tests whether x and y come from the same distribution against
// the alternative that one tends to be larger (two-sided). See ExactMWULimit
// for how the p-value is computed. It fails only on an empty sample.
func MannWhitneyU(x, y []float64) (MWUResult, error) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return MWUResult{}, fmt.Errorf("mann-whitney u: %w", ErrEmptySample)
	}
	rankSum, tieTerm := rankSumX(x, y)
	u := rankSum - float64(n1*(n1+1))/2
	res := MWUResult{U: u, Ties: tieTerm > 0}
	if !res.Ties && n1 <= ExactMWULimit && n2 <= ExactMWULimit {
		res.Exact = true
		res.P = exactMWUP(n1, n2, u)
		return res, nil
	}
	res.P = normalMWUP(n1, n2, u, tieTerm)
	return res, nil
}

// rankSumX ranks the pooled samples (mid-ranks for ties) and returns the
// rank sum of x and the tie term sum(t^3 - t) over groups of equal values.
func rankSumX(x, y []float64) (rankSum, tieTerm float64) {
	type obs struct {
		v     float64
		fromX bool
	}
	all := make([]obs, 0, len(x)+len(y))
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		// Values i..j-1 are tied; they share the mean of ranks i+1..j.
		rank := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			if all[k].fromX {
				rankSum += rank
			}
		}
		if t := float64(j - i); t > 1 {
			tieTerm += t*t*t - t
		}
		i = j
	}
	return rankSum, tieTerm
}

// normalMWUP is the two-sided p-value of U under the normal approximation,
// with the variance reduced for ties and a continuity correction of 1/2.
func normalMWUP(n1, n2 int, u, tieTerm float64) float64 {
	fn1, fn2 := float64(n1), float64(n2)
	n := fn1 + fn2
	mean := fn1 * fn2 / 2
	variance := fn1 * fn2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		// Every value is equal: no evidence of a difference.
		return 1
	}
	z := (math.Abs(u-mean) - 0.5) / math.Sqrt(variance)
	if z <= 0 {
		return 1
	}
	return math.Min(1, 2*distuv.UnitNormal.Survival(z))
}

// exactMWUP is the exact two-sided p-value of U for samples without ties:
// twice the smaller tail probability of the null distribution, capped at 1.
func exactMWUP(n1, n2 int, u float64) float64 {
	dist := mwuCounts(n1, n2)
	total := 0.0
	for _, c := range dist {
		total += c
	}
	k := int(math.Round(u))
	lower, upper := 0.0, 0.0
	for i, c := range dist {
		if i <= k {
			lower += c
		}
		if i >= k {
			upper += c
		}
	}
	return math.Min(1, 2*math.Min(lower, upper)/total)
}

// mwuCounts returns, for u = 0..n1*n2, the number of orderings of n1 x-values
// and n2 y-values without ties whose statistic U is u. It uses the recurrence
// c(i, j, u) = c(i-1, j, u-j) + c(i, j-1, u), keeping one layer of i at a time;
// the counts (at most C(100, 50) ~ 1e29) are sums of positive terms, so
// float64 holds them without cancellation.
func mwuCounts(n1, n2 int) []float64 {
	// prev[j][u] holds c(i-1, j, u); cur[j][u] holds c(i, j, u).
	prev := make([][]float64, n2+1)
	for j := range prev {
		prev[j] = []float64{1} // c(0, j, 0) = 1
	}
	for i := 1; i <= n1; i++ {
		cur := make([][]float64, n2+1)
		cur[0] = []float64{1} // c(i, 0, 0) = 1
		for j := 1; j <= n2; j++ {
			row := make([]float64, i*j+1)
			// x larger than the largest y: U gains j.
			for u, c := range prev[j] {
				row[u+j] += c
			}
			// the largest value is a y: U unchanged.
			for u, c := range cur[j-1] {
				row[u] += c
			}
			cur[j] = row
		}
		prev = cur
	}
	return prev[n2]
}
