package gate

import (
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// IsStartPoint reports whether p is the Point of a start row: the row of a
// server configuration that judges its start (startup_seconds) rather than
// a benchmark point. A start row's Point is the zero Point, which no sweep
// plans (every bench value is at least 1), so it sorts first in its group.
func IsStartPoint(p sweep.Point) bool { return p == sweep.Point{} }

// startRow judges one server configuration's start against the starts on
// record of the same compile-cache state, as a throughput is judged
// (judgeRepeats), one value per start: the newest such start on record is
// the baseline, and the history's starts of that state give the run-to-run
// noise. A start of another cache state than any on record is not
// comparable; a configuration whose directory records no start is
// skipped, with the reason.
func startRow(sp baseline.StartPair, gate Settings, m Metric) *Row {
	row := &Row{
		Name:           sp.Server.Stem() + " start",
		BaseThroughput: math.NaN(), CurThroughput: math.NaN(),
		HistoryNote: sp.HistoryNote,
	}
	c := &Cell{Metric: m.Name, Unit: m.Unit, LowerIsBetter: m.LowerIsBetter,
		Base: meanOrNaN(sp.Baseline), Cur: meanOrNaN(sp.Current), Change: math.NaN(),
		P: math.NaN(), PAdj: math.NaN(), Tolerance: gate.Tolerance, Bound: gate.Tolerance, Detectable: math.NaN()}
	row.Cells = []*Cell{c}
	c.Change = stats.RelChange(c.Base, c.Cur)
	switch unlike := sp.Unlike(); {
	case sp.NoStart != "":
		row.Verdict, row.Note, c.Verdict = stats.Skipped, sp.NoStart, stats.Skipped
		return row
	case unlike != "":
		row.Verdict, row.Note, c.Verdict = stats.NotComparable, unlike, stats.NotComparable
		return row
	case len(sp.Baseline) == 0:
		row.Verdict, c.Verdict = stats.New, stats.New
		return row
	}
	label := baseline.StartLabel(sp.Cache)
	c.Reason = "a " + label + ", against the newest " + label + " on record"
	history := sp.History
	c.setTolerance(gate, history)
	judgeRepeats(c, sp.Baseline, sp.Current, history, "one start on each side", "each accepted run adds its start to the history")
	var noise stats.Sensitivity
	noise, c.Noise = runToRun(history, gate.PriorCV[m.Name], sp.Baseline, sp.Current)
	c.ev.between, c.ev.betweenDF = noise.SE, noise.DF
	return row
}

// meanOrNaN is the mean of vs, NaN when there are none.
func meanOrNaN(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	return stats.Mean(vs)
}
