package baseline

import (
	"maps"
	"math"
	"strconv"
)

// KeepFunc marks the history lines that compaction must keep: keep[i] true
// keeps entries[i] (oldest first). Change-point detection marks the runs
// around each change point it finds, so a shift stays visible, and its
// first run named, after older lines are dropped.
type KeepFunc func(entries []HistoryEntry) []bool

// compactHistory returns entries cut to at most limit lines (limit <= 0
// means DefaultHistoryCap). It drops the oldest lines first, skipping those
// keep marks and those of runs accepted on purpose (the record of a human
// decision); only when the marked lines alone exceed the limit are the
// oldest of them dropped too. The order of the lines is kept.
func compactHistory(entries []HistoryEntry, limit int, keep KeepFunc) []HistoryEntry {
	if limit <= 0 {
		limit = DefaultHistoryCap
	}
	excess := len(entries) - limit
	if excess <= 0 {
		return entries
	}
	marked := make([]bool, len(entries))
	if keep != nil {
		copy(marked, keep(entries))
	}
	for i, e := range entries {
		marked[i] = marked[i] || e.Accepted()
	}
	drop := make([]bool, len(entries))
	for i := 0; i < len(entries) && excess > 0; i++ {
		if !marked[i] {
			drop[i] = true
			excess--
		}
	}
	for i := 0; i < len(entries) && excess > 0; i++ {
		if !drop[i] {
			drop[i] = true
			excess--
		}
	}
	out := make([]HistoryEntry, 0, limit)
	for i, e := range entries {
		if !drop[i] {
			out = append(out, e)
		}
	}
	return out
}

// significantDigits is the precision history lines keep: far below any
// run-to-run noise, and it keeps a line short.
const significantDigits = 6

// roundEntry returns e with every value rounded to significantDigits.
func roundEntry(e HistoryEntry) HistoryEntry {
	round := func(in map[string]map[string]float64) map[string]map[string]float64 {
		if in == nil {
			return nil
		}
		out := make(map[string]map[string]float64, len(in))
		for name, stats := range in {
			r := maps.Clone(stats)
			for k, v := range r {
				r[k] = roundSignificant(v, significantDigits)
			}
			out[name] = r
		}
		return out
	}
	e.Points = round(e.Points)
	e.Spread = round(e.Spread)
	if e.Starts != nil {
		starts := make(map[string][]Start, len(e.Starts))
		for server, ss := range e.Starts {
			r := make([]Start, len(ss))
			for i, s := range ss {
				r[i] = Start{S: roundSignificant(s.S, significantDigits), CacheWarm: s.CacheWarm}
			}
			starts[server] = r
		}
		e.Starts = starts
	}
	if g := e.GPUSeconds; g != nil {
		e.GPUSeconds = &GPUSeconds{
			Total:     roundSignificant(g.Total, significantDigits),
			Start:     roundSignificant(g.Start, significantDigits),
			Measuring: roundSignificant(g.Measuring, significantDigits),
		}
	}
	return e
}

// roundSignificant rounds v to digits significant digits; NaN and
// infinities are returned unchanged.
func roundSignificant(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		return v
	}
	return r
}
