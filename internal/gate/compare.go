package gate

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// MinSamples is the fewest per-request samples per side for a latency test;
// with fewer, the cell is undecided.
const MinSamples = 5

// Compare judges every pair: per gated metric of the pair's run, it computes
// the change, its confidence interval and a p-value, adjusts all p-values of
// the report together with Benjamini-Hochberg, and assigns verdicts. Failed
// points, points without a baseline and points whose baseline is from other
// hardware get a row with that verdict and no test.
func Compare(pairs []baseline.Pair, opts Options) *Report {
	return CompareWithStarts(pairs, nil, opts)
}

// CompareWithStarts is Compare with the server starts of the results
// directory: each server configuration whose run gates startup_seconds
// gets a start row (see IsStartPoint), first in its group, whose p-value
// joins the report's family of tests.
func CompareWithStarts(pairs []baseline.Pair, starts []baseline.StartPair, opts Options) *Report {
	r := &Report{Gates: map[string]Settings{}}
	groups := map[sweep.Server]*Group{}
	var cells []*Cell
	var alphas []float64
	add := func(srv sweep.Server, gate Settings, row *Row) {
		g, ok := groups[srv]
		if !ok {
			g = &Group{Server: srv}
			groups[srv] = g
			r.Groups = append(r.Groups, g)
		}
		r.Gates[srv.Run] = gate
		g.Rows = append(g.Rows, row)
		for _, c := range row.Cells {
			cells = append(cells, c)
			alphas = append(alphas, gate.Alpha)
			if c.NoHistory {
				r.noteNoHistory(srv.Run, c.Metric, c.Tolerance)
			}
		}
	}
	for _, p := range pairs {
		gate := opts.settings(p.Server().Run)
		row, partial := compareRow(p, gate, opts)
		if partial {
			r.PartialSettings++
		}
		markSuspect(row, p)
		explainRow(row, p)
		add(p.Server(), gate, row)
	}
	m, _ := LookupMetric(StartupSeconds)
	for _, sp := range starts {
		if gate := opts.settings(sp.Server.Run); slices.Contains(gate.Metrics, StartupSeconds) {
			add(sp.Server, gate, startRow(sp, gate, m))
		}
	}
	// One family of tests over the whole report.
	ps := make([]float64, len(cells))
	for i, c := range cells {
		ps[i] = c.P
		if !math.IsNaN(c.P) {
			r.Tests++
		}
	}
	adj := stats.AdjustBH(ps)
	for i, c := range cells {
		c.PAdj = adj[i]
		c.decide(alphas[i], r.Tests)
	}
	r.settleRows()
	r.settleThrottled()
	r.settleSuspect()
	return r
}

// compareRow builds the row of one pair; cells that need the adjusted
// p-value are left without a verdict. partial is true when the pair's
// settings could be compared only in part (a file predates them).
func compareRow(p baseline.Pair, gate Settings, opts Options) (row *Row, partial bool) {
	cur := p.Current.File
	row = &Row{
		Name: p.Name(), Point: p.Point(),
		CurThroughput: cur.OutputThroughput, BaseThroughput: math.NaN(),
		HistoryNote: p.HistoryNote,
	}
	if p.Baseline != nil {
		row.BaseThroughput = p.Baseline.OutputThroughput
	}
	switch {
	case p.Current.Failed():
		row.Verdict, row.Note = stats.Failed, p.Current.FailureReason()
		// Failed requests among completed ones are the server's answer; a
		// point without one completed request, or with an error, was
		// never measured.
		row.Unmeasured = cur.VllmBench.Error != "" || cur.Completed == 0
		row.CurThroughput = math.NaN()
		return row, false
	case p.Baseline == nil:
		row.Verdict = stats.New
	case p.Mismatch != "":
		row.Verdict, row.Note = stats.Skipped, p.Mismatch+": not gated"
	}
	if row.Verdict == "" {
		diff, note := settingsDiffer(cur, p.Baseline)
		partial = note != ""
		if len(diff) > 0 {
			row.Verdict, row.Note = stats.NotComparable, "measured differently: "+strings.Join(diff, ", ")+" (this run vs the baseline)"
			if partial {
				row.Note += "; " + note
			}
		}
	}
	for _, name := range gate.Metrics {
		m, ok := LookupMetric(name)
		if ok && !m.PerPoint() {
			continue // a row of its own per server configuration (startRow)
		}
		if !ok {
			// Config validation rejects unknown names; a report made without
			// it says so in the cell instead of failing.
			row.Cells = append(row.Cells, &Cell{Metric: name, Base: math.NaN(), Cur: math.NaN(), Change: math.NaN(),
				P: math.NaN(), PAdj: math.NaN(), Detectable: math.NaN(), Verdict: stats.Undecided,
				Warnings: []string{fmt.Sprintf("unknown metric %q", name)}})
			continue
		}
		c := &Cell{Metric: m.Name, Unit: m.Unit, LowerIsBetter: m.LowerIsBetter,
			Base: math.NaN(), Cur: value(m, cur), Change: math.NaN(),
			P: math.NaN(), PAdj: math.NaN(), Tolerance: gate.Tolerance, Bound: gate.Tolerance, Detectable: math.NaN()}
		row.Cells = append(row.Cells, c)
		if p.Baseline == nil {
			c.Verdict = stats.New
			continue
		}
		c.Base = value(m, p.Baseline)
		c.Change = stats.RelChange(c.Base, c.Cur)
		if row.Verdict == stats.Skipped || row.Verdict == stats.NotComparable {
			c.Verdict = row.Verdict
			continue
		}
		c.setTolerance(gate, p.History[m.Name])
		seed := cellSeed(opts.Seed, p.Name(), m.Name)
		switch m.Source {
		case PerRequest:
			judgeRequests(c, m, p.Baseline, cur, p.History[m.Name], seed, opts.Resamples)
		case PerRepeat:
			judgeRepeats(c, m.Samples(p.Baseline), m.Samples(cur), p.History[m.Name], "one repeat", "set bench.repeats >= 2 for a test")
		}
		rb, rx := repeatValuesOf(m, p.Baseline, cur)
		var noise stats.Sensitivity
		noise, c.Noise = runToRun(p.History[m.Name], gate.PriorCV[m.Name], rb, rx)
		c.ev.between, c.ev.betweenDF = noise.SE, noise.DF
		c.ev.stoppedEarly = cur.VllmBench.EarlyStop != nil && cur.VllmBench.EarlyStop.Stopped(cur.NumPrompts)
	}
	return row, partial
}

// setTolerance sets the cell's tolerance from the gate's and the run-to-run
// spread of its history (stats.NoiseTolerance), widened to the no-history
// allowance while the history is short.
func (c *Cell) setTolerance(gate Settings, history []float64) {
	c.Tolerance = stats.NoiseTolerance(gate.Tolerance, history)
	if c.Tolerance > gate.Tolerance {
		c.Warnings = append(c.Warnings, fmt.Sprintf("tolerance raised to %d x the run-to-run CV of %d history runs", stats.NoiseFactor, len(history)))
	}
	if len(history) < stats.MinPredictionHistory {
		if allow := gate.NoHistoryAllowance(c.Metric); allow > c.Tolerance {
			c.Tolerance, c.NoHistory = allow, true
		}
	}
}

// settingsDiffer returns the settings that differ between a result and its
// baseline (results.Differences), and, when either file predates recorded
// settings, a note of what could be compared.
func settingsDiffer(cur, base *results.File) ([]string, string) {
	a, okA := cur.Measured()
	b, okB := base.Measured()
	partial := ""
	switch {
	case !okA && !okB:
		partial = "neither file records its measurement settings"
	case !okB:
		partial = "the baseline predates recorded measurement settings"
	case !okA:
		partial = "this result predates recorded measurement settings"
	}
	if partial != "" {
		partial += ": only engine, tp/dp/pp, endpoint, warmup, repeats and the point were compared"
	}
	return results.Differences(a, b), partial
}

// value is the metric's statistic of f, NaN when f has none.
func value(m Metric, f *results.File) float64 {
	v, ok := m.Value(f)
	if !ok {
		return math.NaN()
	}
	return v
}

// judgeRequests fills a per-request cell: the statistic of the samples, a
// bootstrap interval of its change and a p-value.
//
// Mann-Whitney U treats the requests of a run as independent, but they share
// the run's server, batches and machine: run to run, a statistic moves more
// than the within-run test expects, so on its own it flags noise. When the
// history holds stats.MinPredictionHistory runs or more, the statistic is
// also tested against their spread (a t prediction test) and the larger of
// the p-values counts: a regression must stand out both within the run and
// from run to run. With two repeats or more on both sides, Welch's t-test
// on the per-repeat medians joins in likewise. Without history the cell
// warns.
func judgeRequests(c *Cell, m Metric, base, cur *results.File, history []float64, seed uint64, resamples int) {
	b, x := m.Samples(base), m.Samples(cur)
	if len(b) == 0 || len(x) == 0 {
		c.Test = TestTolerance
		c.Warnings = append(c.Warnings, "no per-request samples (ITLs are kept only with bench.save_detailed): judged by the tolerance alone")
		return
	}
	c.Base, c.Cur = stats.Quantile(b, m.Quantile), stats.Quantile(x, m.Quantile)
	c.Change = stats.RelChange(c.Base, c.Cur)
	if len(b) < MinSamples || len(x) < MinSamples {
		c.Verdict = stats.Undecided
		c.Warnings = append(c.Warnings, fmt.Sprintf("too few samples (%d and %d, need %d per side)", len(b), len(x), MinSamples))
		return
	}
	c.Test = TestMannWhitney
	c.ev.within = math.NaN()
	if res, err := stats.MannWhitneyU(b, x); err == nil {
		c.P = res.P
	}
	repeated := false
	if m.repeats != nil {
		if rb, rx := m.repeats(base), m.repeats(cur); len(rb) >= 2 && len(rx) >= 2 {
			if res, err := stats.WelchTTest(rb, rx); err == nil {
				c.Test, c.P, repeated = TestMannWhitneyRepeats, math.Max(c.P, res.P), true
				if s, err := stats.WelchRelSensitivity(rb, rx); err == nil {
					c.ev.tests = append(c.ev.tests, s)
				}
			}
		}
	}
	if len(history) >= stats.MinPredictionHistory {
		if res, err := stats.PredictionTest(history, c.Cur); err == nil {
			c.Test, c.P = TestMannWhitneyHistory, math.Max(c.P, res.P)
			if repeated {
				c.Test = TestMannWhitneyRepeatsHistory
			}
			if s, err := stats.PredictionRelSensitivity(history); err == nil {
				c.ev.tests = append(c.ev.tests, s)
			}
		}
	} else if c.NoHistory {
		c.Warnings = append(c.Warnings, fmt.Sprintf("no run-to-run history yet (fewer than %d accepted runs): changes under %s are treated as noise", stats.MinPredictionHistory, pct(c.Tolerance)))
	} else {
		c.Warnings = append(c.Warnings, fmt.Sprintf("run-to-run noise not measured (fewer than %d history runs): judged within one server's run", stats.MinPredictionHistory))
	}
	iv, err := stats.BootstrapRelChange(b, x, stats.BootstrapOptions{Quantile: m.Quantile, Seed: seed, Resamples: resamples})
	if err != nil {
		c.Warnings = append(c.Warnings, "no confidence interval: "+err.Error())
		return
	}
	c.CI = &iv
	c.ev.within = stats.IntervalSE(iv)
	// Mann-Whitney sees the within-run noise the bootstrap measures.
	c.ev.tests = append(c.ev.tests, stats.Sensitivity{SE: c.ev.within, DF: math.Inf(1)})
}

// judgeRepeats fills a per-repeat cell from the values of both sides (one
// per repeat, or per start): Welch's t-test when both sides have two
// values or more, else a prediction interval from history when it has
// stats.MinPredictionHistory runs, else the tolerance alone. one names a
// side's single value ("one repeat") and advice how to get a test, for
// the caveat of the last case.
func judgeRepeats(c *Cell, b, x, history []float64, one, advice string) {
	if len(b) == 0 || len(x) == 0 || math.IsNaN(c.Base) || math.IsNaN(c.Cur) {
		c.Verdict = stats.Undecided
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s was not measured on both sides", c.Metric))
		return
	}
	switch {
	case len(b) >= 2 && len(x) >= 2:
		c.Test = TestWelch
		res, err := stats.WelchTTest(b, x)
		if err != nil {
			break
		}
		c.P = res.P
		if s, err := stats.WelchRelSensitivity(b, x); err == nil {
			c.ev.tests = append(c.ev.tests, s)
		}
		if iv, err := stats.WelchRelChangeCI(b, x, stats.DefaultLevel); err == nil {
			c.CI = &iv
		}
	case len(history) >= stats.MinPredictionHistory:
		c.Test = TestPrediction
		res, err := stats.PredictionTest(history, stats.Mean(x))
		if err != nil {
			break
		}
		c.P = res.P
		if s, err := stats.PredictionRelSensitivity(history); err == nil {
			c.ev.tests = append(c.ev.tests, s)
		}
	default:
		c.Test = TestTolerance
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s and fewer than %d history runs: judged by the tolerance alone (%s)", one, stats.MinPredictionHistory, advice))
	}
	if c.NoHistory {
		c.Warnings = append(c.Warnings, fmt.Sprintf("no run-to-run history yet (fewer than %d accepted runs): changes under %s are treated as noise", stats.MinPredictionHistory, pct(c.Tolerance)))
	}
}

// pct prints a fraction as a whole percentage.
func pct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

// cellSeed mixes the report's seed with the cell's identity.
func cellSeed(seed uint64, point, metric string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s", point, metric)
	return seed ^ h.Sum64()
}

// settleRows gives every row without a verdict the worst of its cells'
// and puts groups and rows in report order.
func (r *Report) settleRows() {
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.Verdict != "" {
				continue
			}
			vs := make([]stats.Verdict, len(row.Cells))
			for i, c := range row.Cells {
				vs[i] = c.Verdict
			}
			row.Verdict = stats.Worst(vs...)
		}
		sort.SliceStable(g.Rows, func(i, j int) bool { return pointLess(g.Rows[i].Point, g.Rows[j].Point) })
	}
	sort.SliceStable(r.Groups, func(i, j int) bool { return serverLess(r.Groups[i].Server, r.Groups[j].Server) })
}

func pointLess(a, b sweep.Point) bool {
	if a.ContextSize != b.ContextSize {
		return a.ContextSize < b.ContextSize
	}
	if a.NumPrompts != b.NumPrompts {
		return a.NumPrompts < b.NumPrompts
	}
	if a.OutputLen != b.OutputLen {
		return a.OutputLen < b.OutputLen
	}
	if a.RequestRate != b.RequestRate {
		return a.RequestRate < b.RequestRate
	}
	return a.Concurrency < b.Concurrency
}

func serverLess(a, b sweep.Server) bool {
	if a.Run != b.Run {
		return a.Run < b.Run
	}
	if a.TP != b.TP {
		return a.TP < b.TP
	}
	if a.DP != b.DP {
		return a.DP < b.DP
	}
	return a.PP < b.PP
}
