package trend

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// NoiseBandSDs is the half-width of a level's noise band in standard
// deviations of its runs: about 95 % of the runs of a steady series fall
// within it when the run-to-run noise is normal.
const NoiseBandSDs = 2.0

// Segment is a stretch of a series between change points (or its ends).
type Segment struct {
	// From and To are positions in Series.Values: the segment is
	// Values[From:To].
	From, To int
	// Mean is the mean of its values.
	Mean float64
}

// Segments splits the series at its change points, oldest first; a series
// without change points is one segment, one without values none.
func (s Series) Segments() []Segment {
	if len(s.Values) == 0 {
		return nil
	}
	var out []Segment
	from := 0
	for _, to := range append(shiftPositions(s.Shifts), len(s.Values)) {
		if to <= from || to > len(s.Values) {
			continue
		}
		out = append(out, Segment{From: from, To: to, Mean: stats.Mean(valuesOf(s.Values[from:to]))})
		from = to
	}
	return out
}

func shiftPositions(shifts []Shift) []int {
	out := make([]int, len(shifts))
	for i, sh := range shifts {
		out[i] = sh.At
	}
	return out
}

func valuesOf(vs []Value) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// Level compares the newest value of a series with the level it held
// before: the runs since its last change point (or since its start).
type Level struct {
	// Newest is the newest value.
	Newest Value
	// Since is the first run of the level: the first changed run of the
	// last change point, or the series' first run.
	Since RunInfo
	// Runs is the number of runs the level is the mean of: those from
	// Since up to, not including, the newest.
	Runs int
	// Mean is their mean, SD their sample standard deviation (NaN with
	// fewer than two runs).
	Mean, SD float64
	// Change is Newest.Value/Mean - 1 (NaN when Mean is zero or there is
	// no run before the newest).
	Change float64
}

// Band returns the noise band of the level, Mean ± NoiseBandSDs·SD, and
// false when there are too few runs for one.
func (l Level) Band() (lo, hi float64, ok bool) {
	if l.Runs < 2 || math.IsNaN(l.SD) {
		return 0, 0, false
	}
	return l.Mean - NoiseBandSDs*l.SD, l.Mean + NoiseBandSDs*l.SD, true
}

// Position says where the newest value lies against the noise band:
// -1 below, 0 within, +1 above; ok is false without a band.
func (l Level) Position() (pos int, ok bool) {
	lo, hi, ok := l.Band()
	switch {
	case !ok:
		return 0, false
	case l.Newest.Value < lo:
		return -1, true
	case l.Newest.Value > hi:
		return 1, true
	}
	return 0, true
}

// Level returns the newest value of the series against the runs since its
// last change point, and false when the newest run of the history (index
// newest) did not measure the series.
func (s Series) Level(history []RunInfo, newest int) (Level, bool) {
	n := len(s.Values)
	if n == 0 || s.Values[n-1].Run != newest {
		return Level{}, false
	}
	from := 0
	if k := len(s.Shifts); k > 0 {
		from = s.Shifts[k-1].At
	}
	before := valuesOf(s.Values[from : n-1])
	l := Level{Newest: s.Values[n-1], Runs: len(before), Mean: math.NaN(), SD: math.NaN(), Change: math.NaN()}
	if r := s.Values[from].Run; r >= 0 && r < len(history) {
		l.Since = history[r]
	}
	if len(before) > 0 {
		l.Mean = stats.Mean(before)
		if l.Mean != 0 {
			l.Change = l.Newest.Value/l.Mean - 1
		}
	}
	if len(before) > 1 {
		l.SD = stat.StdDev(before, nil)
	}
	return l, true
}
