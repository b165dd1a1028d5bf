package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// tDist is Student's t with df degrees of freedom, or the standard normal
// for infinite df.
func tDist(df float64) interface {
	CDF(float64) float64
	Survival(float64) float64
} {
	if math.IsInf(df, 1) || df > 1e7 {
		return distuv.UnitNormal
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
}

// DefaultMaxRounds is the most rounds (server starts per side) of a paired
// A/B comparison when none is configured.
const DefaultMaxRounds = 4

// SequentialOptions configure a paired sequential look. The zero value of
// a field means its default.
type SequentialOptions struct {
	// Alpha is the false-alarm rate of the whole comparison, all looks
	// together; zero means 0.05.
	Alpha float64
	// Tolerance is the smallest relative change that counts, e.g. 0.05.
	Tolerance float64
	// MaxRounds is the most rounds planned; the looks are at rounds
	// 2..MaxRounds. Zero means DefaultMaxRounds.
	MaxRounds int
	// PriorDF is the weight of a cell's group in its variance; zero means
	// DefaultPriorDF, a negative value keeps every cell's own variance.
	PriorDF float64
	// Family is the number of cells adjusted together with
	// Benjamini-Hochberg when more than the cells given: cells judged
	// elsewhere (the other server configurations of a run, measured before
	// or after these) count in it as not selected. Zero means the cells
	// given.
	Family int
}

func (o SequentialOptions) withDefaults() SequentialOptions {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MaxRounds == 0 {
		o.MaxRounds = DefaultMaxRounds
	}
	if o.PriorDF == 0 {
		o.PriorDF = DefaultPriorDF
	}
	o.PriorDF = math.Max(o.PriorDF, 0)
	return o
}

// looks is the number of looks of a design of maxRounds rounds (one per
// round from the second), and at least one.
func looks(maxRounds int) int { return max(maxRounds-1, 1) }

// SequentialResult is one cell's state at a look of a paired sequential
// comparison.
type SequentialResult struct {
	// Rounds is the number of rounds that measured the cell.
	Rounds int
	// Change is the geometric-mean relative change exp(mean log-ratio) - 1.
	Change float64
	// Interval is the decision interval of Change at level 1-2·Alpha/looks,
	// from the test's variance (the larger of the moderated and the
	// cell's own): its two ends are the one-sided bounds of two one-sided
	// tests. Wholly beyond the tolerance it is a regression or an
	// improvement, wholly within it unchanged, else undecided.
	Interval Interval
	// P is the two-sided p-value of no change at this look multiplied by
	// the number of looks (Bonferroni over looks), capped at 1; NaN with
	// fewer than two rounds.
	P float64
	// PAdj is P adjusted with Benjamini-Hochberg over the cells judged
	// together.
	PAdj float64
	// DF is the degrees of freedom of the moderated t.
	DF float64
	// Detectable is the smallest relative change in the bad direction
	// this look flags with DetectablePower, as stats.Detectable is for a
	// stored-baseline cell: at least Tolerance; +Inf when the cell has
	// no test yet.
	Detectable float64
	// Verdict is the cell's verdict at this look (see SequentialDecision).
	Verdict Verdict
	// Settled is true when more rounds would not be spent on the cell:
	// its verdict is decided, no number of rounds up to MaxRounds can
	// decide it, or the rounds are spent.
	Settled bool
	// Kept is true when this is the result of an earlier look, kept
	// because the cell's point was settled then and not measured again
	// (PairedCell.Kept).
	Kept bool
	// projected is the half-width in log units the interval would have at
	// MaxRounds; used for settling.
	projected float64
	meanLog   float64
	// seTest and dfTest are the test's standard error of the mean
	// log-ratio and its degrees of freedom; looks the looks of the design.
	seTest, dfTest float64
	looks          int
	// equivalence is the interval at level 1-2·Alpha/looks with the
	// moderated variance: Unchanged when it lies within ±Tolerance.
	equivalence Interval
}

// SequentialLook is the outcome of one look at a paired comparison.
type SequentialLook struct {
	// Cells holds one result per cell, in the order given.
	Cells []SequentialResult
	// Stop is true when the comparison should stop: a cell is a regression
	// (the gate's answer cannot change), or every cell is settled.
	Stop bool
}

// SettledPoints returns the points (PairedCell.Point) whose cells are all
// settled at this look and none yet kept, in the order of their first
// cell: a comparison that measures only what is undecided measures them no
// more and passes each of their cells its result here as PairedCell.Kept
// in every later look. Cells without a point are never settled this way.
func (l SequentialLook) SettledPoints(cells []PairedCell) []string {
	open := map[string]bool{}
	var order []string
	for i, c := range cells {
		if c.Point == "" {
			continue
		}
		if _, seen := open[c.Point]; !seen {
			order = append(order, c.Point)
			open[c.Point] = true
		}
		if c.Kept != nil || !l.Cells[i].Settled {
			open[c.Point] = false
		}
	}
	var out []string
	for _, p := range order {
		if open[p] {
			out = append(out, p)
		}
	}
	return out
}

// Sequential judges a paired A/B comparison of interleaved server starts
// (A B, B A, A B, ...) at the current round and says whether to stop.
// It is a group-sequential design with looks at every round from the second
// to MaxRounds:
//
//   - Each cell's statistic is the mean of its per-round log-ratios, tested
//     with the moderated paired t of PairedCell (never with less than the
//     cell's own variance). Alternating which build
//     starts first cancels linear drift from each pair of rounds, so a
//     machine that slows down during the comparison widens the interval but
//     does not bias the change (exactly at every even round).
//   - The false-alarm rate is split evenly over the looks (Bonferroni, the
//     simplest alpha spending: valid whatever the correlation between looks
//     and with estimated variances, where exact group-sequential bounds are
//     not). Each look tests at Alpha/looks and the p-values of the cells are
//     adjusted together with Benjamini-Hochberg, as in a stored-baseline
//     report.
//   - Each cell has one decision interval, at level 1-2·Alpha/looks with
//     the test's variance: a Regression (Improvement) when it lies wholly
//     beyond Tolerance on the bad (good) side, a one-sided test that the
//     change exceeds the tolerance; Unchanged when it lies within
//     ±Tolerance (two one-sided tests: an equivalence decision, not an
//     absence of evidence); otherwise Undecided. The p-value of no change
//     is reported, adjusted with Benjamini-Hochberg, but does not decide:
//     the interval printed is the one that decided.
//   - The comparison stops at the first regression, since no later round
//     can turn a rejected look into a pass, or when every cell is settled:
//     decided, or so noisy that even MaxRounds rounds would leave its
//     interval wider than Tolerance while its change lies inside it
//     (futility; it only ever stops a comparison, so it costs power, never
//     false alarms).
//   - A comparison may measure only what is undecided: once every cell of
//     a point is settled (SettledPoints) the point is measured no more and
//     each of its cells keeps the result of that look (PairedCell.Kept):
//     verdict, interval, p-values. Settled includes futile, the rule that
//     already ends a whole comparison: a point whose cells more rounds
//     could not decide is not worth its start time either, and a futile
//     cell flags nothing when it is dropped.
//
// Dropping settled points keeps the false-alarm guarantee. With no change
// anywhere, a false alarm is a look at which some cell is selected; by
// Bonferroni over looks the chance is at most the sum over looks of each
// look's, and each look's is at most Alpha/looks (Benjamini-Hochberg at
// that level, Simes's test of the whole family). A kept cell stays in every
// later look's family with p-value 1, never selected again; the adjustment
// only gains selections when a p-value falls, so a look with kept cells
// selects no measured cell that it would not select had the kept cells been
// measured on: the measured cells hold exactly the rounds they would hold
// in a comparison that re-measures everything. Each look's chance of a
// false alarm is thus at most that look's in such a comparison, and the
// whole at most Alpha. A kept change was a selection at its own look,
// already counted there; a kept unchanged or futile cell flags nothing.
// Family extends this to the server configurations of a run, measured one
// after another: their looks at the same round are parts of one look of
// the run, each counting the others' cells as not selected. Kept cells'
// rounds stay in their group's moderated variance, data like any other;
// that is an approximation as the moderation always is (cells of a group
// are alike, not equal), and the test of no change never uses less than a
// cell's own variance. The figures below drop settled points. Re-measuring
// every point instead flags a little less (A/A with the measured CVs:
// 1.4 % against 2.3 % of 2000 reports, regressions 1.1 % against 1.5 %):
// there a later look can withdraw an early improvement, which a kept cell
// keeps; both are within the bound. It measures 23 points per build in an
// A/A comparison where dropping measures 17-20 (of 6 points x 4 rounds),
// for the same rounds, and catches a 10 % slowdown at context 2048 only as
// often (model CVs: 92 % against 91 %; measured: 99 % and 98 %).
//
// Monte Carlo (BenchmarkSequentialMonteCarlo, seed 1, 2000 reports per
// line) on data shaped like the simulator: 6 points (context 512/1024/2048 x
// concurrency 8/32) x median TTFT, median TPOT and output throughput; a
// per-start speed factor of CV 1 % shared by all cells of a start; per-cell
// start-to-start CV of TTFT 1/1.5/2 % at concurrency 8 and 6/9/12 % at 32,
// TPOT 1 % and 3/4/5 %, throughput 1 % and 2/2/3 % ("model"), or the CVs
// calibrate measured on the simulator ("measured": TTFT 5.2/2.2/6.6 % and
// 18/5/14 %, TPOT 0.7/0.6/2.3 % and 5.6/8/3.6 %, throughput 3.5/0.9/0.4 %
// and about 0.5 %, shared factor 0.5 %); drift 5 %/h at 10 minutes a start;
// alpha 0.05, tolerance 5 %, MaxRounds 4, cells grouped by metric and
// concurrency, settled points measured no more. Share of reports flagged
// (A/A: any regression or improvement; slowdown: a regression) and mean
// rounds:
//
//	scenario                  no drift               drift
//	A/A, model                 0.6 %, 3.92 rounds      0.6 %, 3.90 rounds
//	A/A, measured              2.3 %, 3.76 rounds      1.7 %, 3.81 rounds
//	10 % slowdown, model     100.0 %, 2.49 rounds     99.6 %, 2.65 rounds
//	10 % slowdown, measured  100.0 %, 2.14 rounds
//	20 % slowdown, model     100.0 %, 2.05 rounds    100.0 %, 2.10 rounds
//	A/A, quiet machine         0.0 %, 2.28 rounds     (every CV 0.5 %)
//	A/A, quick-start grid      1.0 %, 3.88 rounds     (context 512/2048 only:
//	10 % slowdown, same       99.9 %, 2.85 rounds      groups of two cells)
//
// A/A runs to the last round on simulator-like noise because cells with a
// start-to-start CV of 2-3 % cannot be shown to lie within ±5 % sooner; on a
// quiet machine it stops after the second round in most comparisons.
// Alternatives measured the same way: the moderated variance alone in the
// test (no own-variance floor) flags 2.2 % of A/A reports with the measured
// CVs (2000 reports); a whole metric pooled flags 6.2 % even with the floor
// and 21 % without it (400 reports, model CVs); each cell's own variance
// alone is valid but needs 3.34 rounds for a 10 % slowdown.
func Sequential(cells []PairedCell, opts SequentialOptions) SequentialLook {
	opts = opts.withDefaults()
	est := pairedEstimates(cells, opts.PriorDF)
	for _, e := range est {
		// A comparison that ran past its plan has had more looks.
		opts.MaxRounds = max(opts.MaxRounds, e.rounds)
	}
	L := float64(looks(opts.MaxRounds))
	a := opts.Alpha / L
	look := SequentialLook{Cells: make([]SequentialResult, len(cells))}
	lower := make([]bool, len(cells))
	for i, e := range est {
		lower[i] = cells[i].LowerIsBetter
		if k := cells[i].Kept; k != nil {
			look.Cells[i] = *k
			look.Cells[i].Kept = true
			continue
		}
		r := SequentialResult{Rounds: e.rounds, Change: math.Exp(e.meanLog) - 1, DF: e.df, P: math.NaN(), meanLog: e.meanLog,
			seTest: math.NaN(), dfTest: e.dfTest, looks: looks(opts.MaxRounds)}
		r.Interval = Interval{Lo: math.NaN(), Hi: math.NaN(), Level: 1 - 2*a}
		r.equivalence = r.Interval
		if p := e.twoSidedP(); !math.IsNaN(p) {
			r.P = math.Min(1, L*p)
			r.seTest = e.sdTest / math.Sqrt(float64(e.rounds))
			h := e.halfWidth(a)
			r.equivalence.Lo, r.equivalence.Hi = math.Exp(e.meanLog-h)-1, math.Exp(e.meanLog+h)-1
		}
		r.projected = e.projectedHalfWidth(a, opts.MaxRounds, opts.PriorDF)
		look.Cells[i] = r
	}
	settled, regression := true, false
	for i, ok := range DecideCells(look.Cells, lower, opts) {
		settled = settled && ok
		regression = regression || look.Cells[i].Verdict == Regression
	}
	look.Stop = regression || settled
	return look
}

// DecideCells gives every cell of a look (of one server configuration, or
// of a whole run judged together) its verdict and decision interval, and
// returns which are settled:
//
//   - A change: the cells' p-values of no change (two-sided, times the
//     looks) are adjusted together with Benjamini-Hochberg; a selected
//     cell (adjusted p below Alpha) whose change is worse (better) than
//     Tolerance is a Regression (Improvement). Every cell's interval is
//     printed at the one-sided level Alpha/looks·R/(2m), R cells selected
//     of m with a test: the false-coverage-rate intervals of Benjamini
//     and Yekutieli (2005), which exclude no change exactly for the
//     selected cells. So a change is a cell whose printed interval
//     excludes no change on the side of its estimate, beyond the
//     tolerance; an interval wholly beyond the tolerance is always one.
//   - Unchanged: the equivalence interval at level 1-2·Alpha/looks with
//     the moderated variance lies within ±Tolerance (two one-sided tests);
//     it is then the printed interval. It lies inside the change interval
//     above, so a printed interval within ±Tolerance is always unchanged.
//   - Otherwise Undecided, printed with the change interval.
//
// The interval a report prints is the one that decided, and equal printed
// intervals get equal verdicts.
func DecideCells(rs []SequentialResult, lowerIsBetter []bool, opts SequentialOptions) []bool {
	opts = opts.withDefaults()
	ps := make([]float64, len(rs), max(len(rs), opts.Family))
	m := 0
	for i, r := range rs {
		ps[i] = r.P
		if !math.IsNaN(r.P) && !math.IsNaN(r.seTest) {
			m++
		}
		if r.Kept && !math.IsNaN(r.P) {
			ps[i] = 1 // in the family, never selected again
		}
	}
	for len(ps) < opts.Family {
		ps = append(ps, 1)
		m++
	}
	adj := AdjustBH(ps)
	selected := 0
	for _, p := range adj {
		if p < opts.Alpha {
			selected++
		}
	}
	settled := make([]bool, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.Kept {
			settled[i] = true
			continue
		}
		r.PAdj = adj[i]
		if math.IsNaN(r.P) || math.IsNaN(r.seTest) {
			r.Verdict, settled[i] = Undecided, r.Rounds >= opts.MaxRounds
			r.Settled, r.Detectable = settled[i], math.Inf(1)
			continue
		}
		// P is two-sided and multiplied by the looks, so a cell is
		// selected exactly when its interval at this one-sided level
		// excludes no change.
		gamma := opts.Alpha / float64(r.looks) * float64(max(selected, 1)) / float64(2*m)
		h := quantileDF(1-gamma, r.dfTest) * r.seTest
		r.Detectable = sequentialDetectable(h+quantileDF(DetectablePower, r.dfTest)*r.seTest, opts.Tolerance, lowerIsBetter[i])
		r.Interval = Interval{Lo: math.Exp(r.meanLog-h) - 1, Hi: math.Exp(r.meanLog+h) - 1, Level: 1 - 2*gamma}
		worse := r.Change
		if !lowerIsBetter[i] {
			worse = -worse
		}
		switch {
		case adj[i] < opts.Alpha && worse > opts.Tolerance:
			r.Verdict, settled[i] = Regression, true
		case adj[i] < opts.Alpha && -worse > opts.Tolerance:
			r.Verdict, settled[i] = Improvement, true
		case r.equivalence.Lo >= -opts.Tolerance && r.equivalence.Hi <= opts.Tolerance:
			r.Verdict, settled[i], r.Interval = Unchanged, true, r.equivalence
		default:
			futile := r.projected >= math.Log1p(opts.Tolerance) && math.Abs(r.meanLog) < r.projected
			r.Verdict, settled[i] = Undecided, r.Rounds >= opts.MaxRounds || futile
		}
		r.Settled = settled[i]
	}
	return settled
}

// sequentialDetectable is the relative change in the bad direction whose
// log-ratio is d, and at least the tolerance: exp(d)-1 for a latency,
// 1-exp(-d) for a throughput.
func sequentialDetectable(d, tolerance float64, lowerIsBetter bool) float64 {
	if lowerIsBetter {
		return math.Max(tolerance, math.Expm1(d))
	}
	return math.Max(tolerance, -math.Expm1(-d))
}
