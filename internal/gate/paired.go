package gate

import (
	"fmt"
	"math"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// TestPaired names the test of a paired A/B cell: the sequential paired t
// of stats.Sequential on the per-round log-ratios.
const TestPaired = "paired-sequential"

// Paired describes a paired A/B report: how many rounds each server
// configuration needed of how many planned.
type Paired struct {
	// MaxRounds is the most rounds of any server configuration's plan.
	MaxRounds int
	// Rounds holds the rounds run per server configuration.
	Rounds map[sweep.Server]int
}

// MostRounds returns the largest number of rounds a server configuration
// ran: the report's "N rounds".
func (p *Paired) MostRounds() int {
	n := 0
	for _, r := range p.Rounds {
		n = max(n, r)
	}
	return n
}

// PairedRound is what one round measured of one server configuration: each
// build's result file per point result name; a point that could not be
// measured is absent or carries its error.
type PairedRound struct {
	Baseline, Candidate map[string]*results.File
}

// PairedServer is one server configuration of a paired A/B comparison: its
// points, gate settings and the rounds measured so far.
type PairedServer struct {
	// Server is the run and layout.
	Server sweep.Server
	// Points are the configuration's points, in plan order.
	Points []sweep.Point
	// Settings is the run's gate.
	Settings Settings
	// MaxRounds is the most rounds planned (ab.rounds).
	MaxRounds int
	// Rounds holds the rounds measured, in order. A point settled at an
	// earlier look (see Next) is absent from the rounds after it.
	Rounds []PairedRound
	// Remeasure measures every point in every round, settled or not
	// (ab.remeasure_settled); otherwise a point whose gated cells are all
	// settled is measured no more.
	Remeasure bool
	// Family is the number of gated cells of the run, over all its server
	// configurations: each look adjusts over them together
	// (stats.SequentialOptions.Family). Zero means this configuration's.
	Family int
}

// sequentialOptions are the options of the server's sequential test.
func (s *PairedServer) sequentialOptions() stats.SequentialOptions {
	return stats.SequentialOptions{Alpha: s.Settings.Alpha, Tolerance: s.Settings.Tolerance, MaxRounds: s.MaxRounds, Family: s.Family}
}

// pairedCell is one gated cell of a paired server with its evidence.
type pairedCell struct {
	point  sweep.Point
	name   string
	metric Metric
	cell   stats.PairedCell
	// base and cur are the geometric means of each build's statistic.
	base, cur float64
}

// failure returns why the point name failed in one of the first rounds
// rounds, or "".
func (s *PairedServer) failure(name string, rounds int) string {
	for k, r := range s.Rounds[:rounds] {
		for _, side := range []struct {
			label string
			files map[string]*results.File
		}{{"baseline", r.Baseline}, {"candidate", r.Candidate}} {
			f := side.files[name]
			switch {
			case f == nil:
				return fmt.Sprintf("round %d, %s: not measured", k+1, side.label)
			case f.VllmBench.Error != "":
				return fmt.Sprintf("round %d, %s: %s", k+1, side.label, f.VllmBench.Error)
			case f.Failed > 0:
				return fmt.Sprintf("round %d, %s: %d of %d requests failed", k+1, side.label, f.Failed, f.Failed+f.Completed)
			}
		}
	}
	return ""
}

// cells returns the gated cells of the points that did not fail, each over
// the first k rounds or, for a point measured no more, over the rounds up
// to its last (last holds that round per point result name).
func (s *PairedServer) cells(k int, last map[string]int) []pairedCell {
	var out []pairedCell
	for _, p := range s.Points {
		name := sweep.ResultName(s.Server, p)
		rounds := s.Rounds[:k]
		if n, ok := last[name]; ok && n < k {
			rounds = s.Rounds[:n]
		}
		if s.failure(name, len(rounds)) != "" {
			continue
		}
		for _, mname := range s.Settings.Metrics {
			m, ok := LookupMetric(mname)
			if !ok || !m.PerPoint() {
				continue // the starts of an A/B comparison are not judged
			}
			c := pairedCell{point: p, name: name, metric: m, cell: stats.PairedCell{
				Group:         fmt.Sprintf("%s/c%d/r%g", m.Name, p.Concurrency, p.RequestRate),
				LowerIsBetter: m.LowerIsBetter,
				Point:         name,
			}}
			var logBase, logCur float64
			n := 0
			for _, r := range rounds {
				b, okB := m.Value(r.Baseline[name])
				x, okX := m.Value(r.Candidate[name])
				if !okB || !okX || !(b > 0) || !(x > 0) {
					c.cell.LogRatios = append(c.cell.LogRatios, math.NaN())
					continue
				}
				c.cell.LogRatios = append(c.cell.LogRatios, math.Log(x/b))
				logBase += math.Log(b)
				logCur += math.Log(x)
				n++
			}
			c.base, c.cur = math.Exp(logBase/float64(n)), math.Exp(logCur/float64(n))
			if n == 0 {
				c.base, c.cur = math.NaN(), math.NaN()
			}
			out = append(out, c)
		}
	}
	return out
}

// pairedState is a server configuration judged after its latest round.
type pairedState struct {
	cells []pairedCell
	look  stats.SequentialLook
	// last holds, per point result name, the last round of a point
	// settled at an earlier look and measured no more.
	last map[string]int
	// failed is true when a point failed in a round that measured it.
	failed bool
}

// judge replays the looks of the rounds measured: after each, unless
// Remeasure, the points whose cells are all settled are measured no more
// and their cells keep that look's results in every later look (see
// stats.Sequential for why the false-alarm rate holds).
func (s *PairedServer) judge() pairedState {
	st := pairedState{last: map[string]int{}}
	kept := map[string]stats.SequentialResult{} // by point name and metric
	for k := 1; k <= len(s.Rounds); k++ {
		st.cells = s.cells(k, st.last)
		in := make([]stats.PairedCell, len(st.cells))
		for i, c := range st.cells {
			in[i] = c.cell
			if r, ok := kept[c.name+" "+c.metric.Name]; ok {
				in[i].Kept = &r
			}
		}
		st.look = stats.Sequential(in, s.sequentialOptions())
		if s.Remeasure || st.look.Stop {
			continue
		}
		for _, name := range st.look.SettledPoints(in) {
			st.last[name] = k
			for i, c := range st.cells {
				if c.name == name {
					kept[c.name+" "+c.metric.Name] = st.look.Cells[i]
				}
			}
		}
	}
	for _, p := range s.Points {
		name := sweep.ResultName(s.Server, p)
		if s.failure(name, s.rounds(name, st.last)) != "" {
			st.failed = true
		}
	}
	return st
}

// rounds is the number of rounds that measured the point name.
func (s *PairedServer) rounds(name string, last map[string]int) int {
	if n, ok := last[name]; ok {
		return n
	}
	return len(s.Rounds)
}

// Look judges the server configuration after its latest round: the
// sequential test over its cells, which says whether to stop. A failed
// point stops the comparison too: the gate fails on it whatever the other
// points show.
func (s *PairedServer) Look() stats.SequentialLook {
	st := s.judge()
	st.look.Stop = st.look.Stop || st.failed
	return st.look
}

// Next returns the points the next round measures: none when the
// comparison of this configuration is over (Look says stop, or its rounds
// are spent), and otherwise those not yet settled, or every point with
// Remeasure. A configuration whose points are all settled starts no more
// servers.
func (s *PairedServer) Next() []sweep.Point {
	st := s.judge()
	if st.look.Stop || st.failed || len(s.Rounds) >= s.MaxRounds {
		return nil
	}
	var out []sweep.Point
	for _, p := range s.Points {
		if _, settled := st.last[sweep.ResultName(s.Server, p)]; !settled {
			out = append(out, p)
		}
	}
	return out
}

// ComparePaired builds the report of a paired A/B comparison: per server
// configuration and point, one cell per gated metric with the geometric
// means of each build's statistic over the rounds, the paired change, its
// interval and the sequential p-value, adjusted with Benjamini-Hochberg over
// the whole report. A point that failed in any round that measured it is
// a failed row; a point settled sooner keeps the look that settled it.
func ComparePaired(servers []*PairedServer) *Report {
	r := &Report{Gates: map[string]Settings{}}
	paired := &Paired{Rounds: map[sweep.Server]int{}}
	type judged struct {
		cell   *Cell
		result stats.SequentialResult
		server *PairedServer
	}
	var all []judged
	for _, s := range servers {
		r.Gates[s.Server.Run] = s.Settings
		paired.Rounds[s.Server] = len(s.Rounds)
		paired.MaxRounds = max(paired.MaxRounds, s.MaxRounds)
		g := &Group{Server: s.Server}
		r.Groups = append(r.Groups, g)
		st := s.judge()
		cs, look := st.cells, st.look
		rows := map[string]*Row{}
		for _, p := range s.Points {
			name := sweep.ResultName(s.Server, p)
			n := s.rounds(name, st.last)
			row := &Row{Name: name, Point: p, BaseThroughput: math.NaN(), CurThroughput: math.NaN(), Rounds: n}
			if why := s.failure(name, n); why != "" {
				row.Verdict, row.Note = stats.Failed, why
			}
			rows[name] = row
			g.Rows = append(g.Rows, row)
		}
		for i, c := range cs {
			res := look.Cells[i]
			cell := &Cell{
				Metric: c.metric.Name, Unit: c.metric.Unit, LowerIsBetter: c.metric.LowerIsBetter,
				Base: c.base, Cur: c.cur, Change: res.Change, Test: TestPaired,
				P: res.P, PAdj: math.NaN(), Tolerance: s.Settings.Tolerance,
			}
			if !math.IsNaN(res.Interval.Lo) {
				iv := res.Interval
				cell.CI = &iv
			}
			row := rows[c.name]
			row.Cells = append(row.Cells, cell)
			if c.metric.Name == "output_throughput" {
				row.BaseThroughput, row.CurThroughput = c.base, c.cur
			}
			all = append(all, judged{cell: cell, result: res, server: s})
		}
	}
	// The cells of a run are decided together: one family of tests per
	// gate setting, over all of the run's server configurations. A cell
	// kept from the look that settled its point keeps that look's
	// verdict and interval and counts in the family as not selected.
	byRun := map[string][]int{}
	var runs []string
	for i, j := range all {
		run := j.server.Server.Run
		if byRun[run] == nil {
			runs = append(runs, run)
		}
		byRun[run] = append(byRun[run], i)
		if !math.IsNaN(j.cell.P) {
			r.Tests++
		}
	}
	for _, run := range runs {
		idx := byRun[run]
		rs := make([]stats.SequentialResult, len(idx))
		lower := make([]bool, len(idx))
		opts := all[idx[0]].server.sequentialOptions()
		for k, i := range idx {
			rs[k], lower[k] = all[i].result, all[i].cell.LowerIsBetter
			opts.MaxRounds = max(opts.MaxRounds, all[i].server.MaxRounds)
			opts.Family = max(opts.Family, all[i].server.Family)
		}
		settled := stats.DecideCells(rs, lower, opts)
		for k, i := range idx {
			c, res := all[i].cell, rs[k]
			c.PAdj, c.Verdict = res.PAdj, res.Verdict
			c.Bound, c.Detectable = opts.Tolerance, res.Detectable
			c.CI = nil
			if !math.IsNaN(res.Interval.Lo) {
				iv := res.Interval
				c.CI = &iv
			}
			c.Reason = pairedReason(res, c.Verdict, c.LowerIsBetter, opts.Tolerance)
			c.Warnings = pairedWarnings(res, c.Verdict, settled[k], all[i].server.MaxRounds)
		}
	}
	r.settleRows()
	r.Paired = paired
	return r
}

// pairedReason says why a paired cell got its verdict, from its decision
// interval.
func pairedReason(res stats.SequentialResult, v stats.Verdict, lowerIsBetter bool, tol float64) string {
	iv := fmt.Sprintf("[%+.1f%%, %+.1f%%] at %.3g%%", 100*res.Interval.Lo, 100*res.Interval.Hi, 100*res.Interval.Level)
	worse := "above"
	if !lowerIsBetter {
		worse = "below"
	}
	better := map[string]string{"above": "below", "below": "above"}[worse]
	switch v {
	case stats.Regression:
		return fmt.Sprintf("decision interval %s lies wholly %s the tolerance (%s%.3g%%)", iv, worse, map[bool]string{true: "+", false: "-"}[lowerIsBetter], 100*tol)
	case stats.Improvement:
		return fmt.Sprintf("decision interval %s lies wholly %s the tolerance (%s%.3g%%)", iv, better, map[bool]string{true: "-", false: "+"}[lowerIsBetter], 100*tol)
	case stats.Unchanged:
		return fmt.Sprintf("equivalence interval %s lies within ±%.3g%%", iv, 100*tol)
	}
	if math.IsNaN(res.Interval.Lo) {
		return "no interval: fewer than 2 rounds measured the cell"
	}
	return fmt.Sprintf("decision interval %s is neither wholly beyond ±%.3g%% nor within it", iv, 100*tol)
}

// pairedWarnings says why a paired cell is undecided.
func pairedWarnings(res stats.SequentialResult, v stats.Verdict, settled bool, maxRounds int) []string {
	if v != stats.Undecided {
		return nil
	}
	switch {
	case res.Rounds < 2:
		return []string{"measured in fewer than 2 rounds: no paired test"}
	case !settled:
		return []string{fmt.Sprintf("not settled after %d rounds: the comparison stopped at a regression elsewhere", res.Rounds)}
	case res.Rounds < maxRounds:
		return []string{fmt.Sprintf("start-to-start noise too large for the tolerance: %d rounds (of %d) could not decide it", res.Rounds, maxRounds)}
	}
	return []string{fmt.Sprintf("interval [%+.1f%%, %+.1f%%] after %d rounds: neither a change beyond the tolerance nor within it", 100*res.Interval.Lo, 100*res.Interval.Hi, res.Rounds)}
}
