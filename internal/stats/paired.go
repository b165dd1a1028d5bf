package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultPriorDF is the weight, in degrees of freedom, that a paired cell's
// variance gives to the variance of the other cells of its group. See
// PairedCell for why the weight is small.
const DefaultPriorDF = 2

// PairedCell is the evidence of one gated cell (a point and a metric) of a
// paired A/B comparison: one log-ratio log(candidate/baseline) of the
// per-start statistic per round, in round order. Non-finite ratios (a start
// that did not measure the cell) are left out.
//
// The variance of a cell's ratios is the start-to-start noise of its
// statistic, doubled: the rounds are what varies, not the requests of a
// start, which share their server and so move together. With two rounds a
// cell has one degree of freedom of its own, too few to conclude anything
// (t(0.99, 1) is 32). Cells of the same Group are assumed to be alike in
// noise, and each cell's variance is moderated towards theirs (the
// empirical-Bayes moderated t of limma, with a fixed prior weight):
//
//	s̃² = (w·s²_others + (k-1)·s²_own) / (w + k-1),  df = w + k-1,
//	w  = min(priorDF, df of the others).
//
// The others are pooled without the cell itself, so a group of one keeps the
// cell's own variance and degrees of freedom. Noise is far from uniform
// within a metric: on the simulator the start-to-start CV of median TTFT is
// about 2-7 % at concurrency 8 and 5-18 % at 32. Pooling a whole metric lets
// the quiet cells understate the noisy ones' variance, and Monte Carlo puts
// A/A false alarms at 21 % of reports. Grouping by metric and load
// (concurrency, request rate) narrows that, but even there noise differs by
// up to a factor of four (median TPOT at concurrency 8: 0.6 %, 0.7 % and
// 2.3 % for contexts 1024, 512 and 2048). So the test of no change takes the
// larger of the moderated variance and the cell's own (with the own degrees
// of freedom when the own is larger): a regression must stand out from the
// cell's own rounds too. The equivalence test (unchanged) and the interval
// use the moderated variance, so that a quiet cell can be settled after two
// rounds; an error there costs power, not false alarms. See sequential.go
// for the figures.
type PairedCell struct {
	// Group names the cells whose start-to-start noise is alike: the same
	// metric at the same load, in one server configuration.
	Group string
	// LowerIsBetter is true for latencies, false for throughputs.
	LowerIsBetter bool
	// LogRatios holds log(candidate/baseline) of the per-start statistic,
	// one per round.
	LogRatios []float64
	// Point names what one server start measures the cell with (a point
	// of the sweep): a comparison that measures only what is undecided
	// stops measuring a point once all its cells are settled
	// (SequentialLook.SettledPoints).
	Point string
	// Kept, when not nil, is the cell's result at the look that settled
	// its point: the point is no longer measured and later looks keep
	// that result (see Sequential).
	Kept *SequentialResult
}

// pairedMoments are the per-cell sums of a paired look.
type pairedMoments struct {
	rounds int
	mean   float64 // mean log-ratio
	ss     float64 // sum of squared deviations from mean
}

// pairedEstimate is one cell's moderated paired t at the current look.
type pairedEstimate struct {
	rounds  int
	meanLog float64
	// sdLog is the moderated standard deviation of one round's log-ratio,
	// with df degrees of freedom; NaN with fewer than two rounds.
	sdLog float64
	df    float64
	// sdTest and dfTest are what the test of no change uses: the cell's
	// own standard deviation (and degrees of freedom) where it exceeds
	// the moderated one, else the moderated.
	sdTest, dfTest float64
	// others is the number of other cells in the group, for projecting df.
	others int
}

// moments returns the rounds, mean and sum of squared deviations of the
// finite values of xs.
func moments(xs []float64) pairedMoments {
	var m pairedMoments
	sum := 0.0
	for _, x := range xs {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			m.rounds++
			sum += x
		}
	}
	if m.rounds == 0 {
		m.mean = math.NaN()
		return m
	}
	m.mean = sum / float64(m.rounds)
	for _, x := range xs {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			m.ss += (x - m.mean) * (x - m.mean)
		}
	}
	return m
}

// pairedEstimates computes the moderated paired t of every cell; priorDF is
// the weight of the group's other cells (see PairedCell).
func pairedEstimates(cells []PairedCell, priorDF float64) []pairedEstimate {
	ms := make([]pairedMoments, len(cells))
	groupSS := map[string]float64{}
	groupDF := map[string]int{}
	groupN := map[string]int{}
	for i, c := range cells {
		ms[i] = moments(c.LogRatios)
		groupN[c.Group]++
		if ms[i].rounds >= 2 {
			groupSS[c.Group] += ms[i].ss
			groupDF[c.Group] += ms[i].rounds - 1
		}
	}
	out := make([]pairedEstimate, len(cells))
	for i, c := range cells {
		m := ms[i]
		e := pairedEstimate{rounds: m.rounds, meanLog: m.mean, sdLog: math.NaN(), sdTest: math.NaN(), others: groupN[c.Group] - 1}
		if m.rounds >= 2 {
			own := float64(m.rounds - 1)
			othersDF := float64(groupDF[c.Group]) - own
			w := math.Min(priorDF, othersDF)
			v := m.ss / own
			e.sdLog, e.df = math.Sqrt(v), own
			e.sdTest, e.dfTest = e.sdLog, own
			if w > 0 {
				mod := (w*(groupSS[c.Group]-m.ss)/othersDF + m.ss) / (w + own)
				e.sdLog, e.df = math.Sqrt(mod), own+w
				if mod >= v {
					e.sdTest, e.dfTest = e.sdLog, e.df
				}
			}
		}
		out[i] = e
	}
	return out
}

// se is the standard error of the mean log-ratio.
func (e pairedEstimate) se() float64 { return e.sdLog / math.Sqrt(float64(e.rounds)) }

// twoSidedP is the two-sided p-value of a zero mean log-ratio at this look;
// NaN without a variance.
func (e pairedEstimate) twoSidedP() float64 {
	if math.IsNaN(e.sdLog) {
		return math.NaN()
	}
	se := e.sdTest / math.Sqrt(float64(e.rounds))
	if se == 0 {
		if e.meanLog == 0 {
			return 1
		}
		return 0
	}
	return twoSidedT(e.meanLog/se, e.dfTest)
}

// halfWidth is the half-width, in log units, of the one-sided bound at level
// 1-a of the mean log-ratio (both bounds together: a 1-2a interval).
func (e pairedEstimate) halfWidth(a float64) float64 {
	if math.IsNaN(e.sdLog) {
		return math.Inf(1)
	}
	return tQuantile(1-a, e.df) * e.se()
}

// projectedHalfWidth is halfWidth after rounds rounds, assuming the noise
// stays as estimated now and the other cells of the group reach them too.
func (e pairedEstimate) projectedHalfWidth(a float64, rounds int, priorDF float64) float64 {
	if math.IsNaN(e.sdLog) {
		return math.Inf(1)
	}
	own := float64(rounds - 1)
	df := own + math.Min(priorDF, float64(e.others)*own)
	return tQuantile(1-a, df) * e.sdLog / math.Sqrt(float64(rounds))
}

// tQuantile is the p-quantile of Student's t with df degrees of freedom.
func tQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}
