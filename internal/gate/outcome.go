package gate

import (
	"math"
	"sort"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Report is the outcome of a comparison: every point, grouped by server
// configuration, with a verdict per gated metric.
type Report struct {
	// Groups holds one group per server configuration, sorted by run and
	// tp/dp/pp.
	Groups []*Group
	// Gates holds the gate settings used, per run name.
	Gates map[string]Settings
	// Tests is the number of p-values adjusted together.
	Tests int
	// NoHistory lists the latency allowances applied for want of
	// run-to-run history (Settings.NoHistoryAllowance), one per run and
	// metric, in order: what the verdict rests on until history arrives.
	NoHistory []Allowance
	// Paired is set for a paired A/B report (ComparePaired): its rounds.
	Paired *Paired
	// PartialSettings counts the pairs whose measurement settings could be
	// compared only in part, because a file predates recorded settings
	// (results.File.Measured): engine, layout, endpoint, warmup, repeats
	// and the point were compared, model, dtype and the rest not.
	PartialSettings int
	// NotMeasured lists the baseline points that the sweep's config does
	// not plan: a note, not a failure (see
	// Settings.RequireAllBaselinePoints).
	NotMeasured []baseline.Missing
	// NoVerdict, when not empty, says why the report gives no verdict:
	// the sweep was interrupted or a server configuration failed, so what
	// it holds is incomplete. Its rows are still reported.
	NoVerdict string
}

// Allowance is a run's latency metric judged without run-to-run history:
// changes smaller than Change are treated as noise.
type Allowance struct {
	Run, Metric string
	// Change is the smallest relative change that counted.
	Change float64
}

// noteNoHistory records an allowance once per run and metric.
func (r *Report) noteNoHistory(run, metric string, change float64) {
	for _, a := range r.NoHistory {
		if a.Run == run && a.Metric == metric {
			return
		}
	}
	r.NoHistory = append(r.NoHistory, Allowance{Run: run, Metric: metric, Change: change})
	sort.SliceStable(r.NoHistory, func(i, j int) bool { return r.NoHistory[i].Run < r.NoHistory[j].Run })
}

// Group is the points of one server configuration.
type Group struct {
	// Server is the run and tp/dp/pp.
	Server sweep.Server
	// Rows holds one row per point, sorted by point.
	Rows []*Row
}

// Row is one point's comparison.
type Row struct {
	// Name is the point's result file name.
	Name string
	// Point is the benchmark setting.
	Point sweep.Point
	// Verdict is the most severe verdict of the row's cells, or the
	// point's own (failed, new, skipped).
	Verdict stats.Verdict
	// Note says why a point is failed or skipped.
	Note string
	// Rounds is the number of rounds of a paired A/B comparison that
	// measured the point (fewer than its server configuration's when the
	// point was settled sooner); zero in other reports.
	Rounds int
	// Unmeasured is true for a failed point that could not be measured at
	// all (its server failed, or no request succeeded): an infrastructure
	// failure, not a regression.
	Unmeasured bool
	// Cells holds one cell per gated metric (none for failed points).
	Cells []*Cell
	// BaseThroughput and CurThroughput are the output throughputs (tok/s)
	// for charts; NaN where there is no value.
	BaseThroughput, CurThroughput float64
	// HistoryNote, when not empty, says why the run's history did not set
	// the row's tolerance (its runs all came from one sitting).
	HistoryNote string
	// Suspect, when not empty, says why some of the row's cells cannot be
	// trusted: the suspicions of this run's result and of the baseline
	// (a saturated client, a busy host, ...), or a degenerate statistic.
	Suspect string
	// Hints name the largest changes in the server's metrics and the GPU
	// telemetry from the baseline; set for regressed and improved points.
	Hints []string
	// Throttled, when not empty, says why the point is suspect: a GPU ran
	// throttled, or at another clock, while the baseline's did not.
	Throttled string
	// ThrottleWaived is true when the point's regressions are warnings,
	// not failures, because of Throttled (gate.on_throttle: warn).
	ThrottleWaived bool
}

// Cell is the comparison of one metric of one point.
type Cell struct {
	// Metric is the metric's name.
	Metric string
	// Unit is the metric's unit.
	Unit string
	// LowerIsBetter is the metric's direction.
	LowerIsBetter bool
	// Base and Cur are the statistic in the baseline and the current run;
	// Base is NaN for a new point.
	Base, Cur float64
	// Change is the relative change (Cur-Base)/Base.
	Change float64
	// CI is the confidence interval of Change, or nil when there is none.
	CI *stats.Interval
	// Test names how significance was judged: mann-whitney, welch,
	// prediction, or tolerance (no test possible).
	Test string
	// P is the test's raw p-value and PAdj the Benjamini-Hochberg adjusted
	// one; both NaN without a test.
	P, PAdj float64
	// Tolerance is the smallest change that counts as a regression or an
	// improvement, after the history rule (or the no-history allowance).
	Tolerance float64
	// Bound is the equivalence bound of Unchanged: the configured
	// tolerance, never widened (noise widens Decision instead).
	Bound float64
	// Decision is the interval of Change that includes the run-to-run
	// noise the gate assumes (see Noise), at level 1-2·alpha: the cell is
	// Unchanged when it lies within ±Bound. Nil when it is unknown.
	Decision *stats.Interval
	// Noise names where the run-to-run noise in Decision comes from:
	// NoiseHistory, NoiseRepeats or NoisePrior; "" without a decision.
	Noise string
	// Detectable is the smallest relative change in the bad direction
	// that the cell would flag at the gate's false-discovery rate with
	// 80 % power (stats.Detectable); NaN when the cell was not judged, +Inf
	// when nothing could be.
	Detectable float64
	// NoHistory is true when the cell was judged without run-to-run
	// history, with Tolerance widened to the no-history allowance.
	NoHistory bool
	// Verdict is the cell's verdict.
	Verdict stats.Verdict
	// Reason says why the cell got its verdict, where the test gives one
	// (paired A/B: which interval decided and where it lies).
	Reason string
	// Warnings are the statistical caveats of this cell.
	Warnings []string
	// Suspect is true for a cell whose measurement cannot be trusted
	// (SuspectReason says why): its verdict is reported but not counted.
	Suspect bool
	// SuspectReason says why the cell is suspect, "" when it is not.
	SuspectReason string

	ev evidence
}

// Test names, as Cell.Test holds them.
const (
	// TestMannWhitney: per-request samples, Mann-Whitney U.
	TestMannWhitney = "mann-whitney"
	// TestMannWhitneyHistory: Mann-Whitney U within the run and, for the
	// run-to-run noise that test cannot see, a prediction test of the
	// statistic against the history; the larger p-value counts.
	TestMannWhitneyHistory = "mann-whitney+history"
	// TestMannWhitneyRepeats: Mann-Whitney U and Welch's t-test on the
	// per-repeat medians of both sides; the larger p-value counts.
	TestMannWhitneyRepeats = "mann-whitney+repeats"
	// TestMannWhitneyRepeatsHistory: all three; the largest p-value counts.
	TestMannWhitneyRepeatsHistory = "mann-whitney+repeats+history"
	// TestWelch: per-repeat values on both sides, Welch's t-test.
	TestWelch = "welch"
	// TestPrediction: one current repeat against a prediction interval
	// from history.
	TestPrediction = "prediction"
	// TestTolerance: no test was possible; the tolerance alone decides.
	TestTolerance = "tolerance"
)

// Rows returns every row of the report in order.
func (r *Report) Rows() []*Row {
	var out []*Row
	for _, g := range r.Groups {
		out = append(out, g.Rows...)
	}
	return out
}

// Count returns the number of rows with verdict v.
func (r *Report) Count(v stats.Verdict) int {
	n := 0
	for _, row := range r.Rows() {
		if row.Verdict == v {
			n++
		}
	}
	return n
}

// Regressions returns the number of regressed cells (point and metric)
// that fail the check: see Waived (a throttled GPU) and SuspectRegressions
// (a saturated client) for the others.
func (r *Report) Regressions() int {
	n := 0
	for _, row := range r.Rows() {
		if row.ThrottleWaived {
			continue
		}
		for _, c := range row.Cells {
			if c.Verdict == stats.Regression && !c.Suspect {
				n++
			}
		}
	}
	return n
}

// Failed returns the number of failed points.
func (r *Report) Failed() int { return r.Count(stats.Failed) }

// UnmeasuredNames returns the result names of the failed points that
// could not be measured (Row.Unmeasured).
func (r *Report) UnmeasuredNames() []string {
	var out []string
	for _, row := range r.Rows() {
		if row.Verdict == stats.Failed && row.Unmeasured {
			out = append(out, row.Name)
		}
	}
	return out
}

// Missing is the verdict of a point that should have been measured and was
// not: the sweep planned it and stopped before it, or the baseline has it
// and the results do not. It fails the gate as infrastructure (exit 3):
// the benchmark did not produce what it should.
const Missing stats.Verdict = "missing"

// Missing returns the number of missing points.
func (r *Report) Missing() int { return r.Count(Missing) }

// MissingNames returns the result names of the missing points.
func (r *Report) MissingNames() []string {
	var out []string
	for _, row := range r.Rows() {
		if row.Verdict == Missing {
			out = append(out, row.Name)
		}
	}
	return out
}

// addMissing adds a row with verdict Missing for each point, in its
// server's group, keeping rows and groups in order.
func (r *Report) addMissing(ms []baseline.Missing) {
	for _, m := range ms {
		var g *Group
		for _, have := range r.Groups {
			if have.Server == m.Server {
				g = have
			}
		}
		if g == nil {
			g = &Group{Server: m.Server}
			r.Groups = append(r.Groups, g)
		}
		g.Rows = append(g.Rows, &Row{Name: m.Name, Point: m.Point, Verdict: Missing, Note: m.Reason,
			BaseThroughput: math.NaN(), CurThroughput: math.NaN()})
		sort.SliceStable(g.Rows, func(i, j int) bool { return pointLess(g.Rows[i].Point, g.Rows[j].Point) })
	}
	sort.SliceStable(r.Groups, func(i, j int) bool { return serverLess(r.Groups[i].Server, r.Groups[j].Server) })
}

// Verdict values of a whole report, for the action's outputs.
const (
	// VerdictPass: nothing regressed and no point failed.
	VerdictPass = "pass"
	// VerdictRegression: some cell regressed and no point failed.
	VerdictRegression = "regression"
	// VerdictFailed: some point failed or is missing; it takes precedence
	// over regressions because the sweep itself is then incomplete.
	VerdictFailed = "failed"
	// VerdictError: no verdict at all (Report.NoVerdict): the sweep was
	// interrupted or a server configuration failed.
	VerdictError = "error"
)

// Verdict returns the report's verdict: VerdictError, VerdictFailed,
// VerdictRegression or VerdictPass.
func (r *Report) Verdict() string {
	switch {
	case r.NoVerdict != "":
		return VerdictError
	case r.Failed() > 0 || r.Missing() > 0:
		return VerdictFailed
	case r.Regressions() > 0:
		return VerdictRegression
	}
	return VerdictPass
}

// OK reports whether the gate passes: no regression, no failed and no
// missing point.
func (r *Report) OK() bool { return r.Verdict() == VerdictPass }

// Counted reports whether a cell's verdict counts in the report's verdict
// and headline: a gated cell (not new, skipped or of a failed point), not
// suspect, of a point not waived for a throttled GPU.
func (row *Row) Counted(c *Cell) bool {
	switch c.Verdict {
	case stats.New, stats.Skipped, stats.NotComparable, stats.Failed, Missing:
		return false
	}
	return !c.Suspect && !row.ThrottleWaived && row.Verdict != stats.Failed && row.Verdict != Missing
}

// CellCount is how many counted cells (Row.Counted) have a verdict, and in
// how many points.
type CellCount struct {
	Cells, Points int
}

// CountCells returns the counted cells with verdict v and their points.
func (r *Report) CountCells(v stats.Verdict) CellCount {
	var n CellCount
	for _, row := range r.Rows() {
		k := 0
		for _, c := range row.Cells {
			if c.Verdict == v && row.Counted(c) {
				k++
			}
		}
		n.Cells += k
		if k > 0 {
			n.Points++
		}
	}
	return n
}
