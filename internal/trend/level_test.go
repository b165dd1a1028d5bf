package trend

import (
	"math"
	"testing"
)

// stepSeries is a series of the values over runs 0..n-1 with change points
// at the given positions.
func stepSeries(values []float64, at ...int) (Series, []RunInfo) {
	var s Series
	var history []RunInfo
	for i, v := range values {
		history = append(history, RunInfo{Index: i, SHA: string(rune('a'+i)) + "000000"})
		s.Values = append(s.Values, Value{Run: i, Value: v})
	}
	for _, a := range at {
		s.Shifts = append(s.Shifts, Shift{At: a, LastBefore: history[a-1], FirstAfter: history[a]})
	}
	return s, history
}

func TestSegments(t *testing.T) {
	s, _ := stepSeries([]float64{1, 3, 10, 12, 14, 5}, 2, 5)
	got := s.Segments()
	want := []Segment{{0, 2, 2}, {2, 5, 12}, {5, 6, 5}}
	if len(got) != len(want) {
		t.Fatalf("segments %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if segs := (Series{}).Segments(); segs != nil {
		t.Errorf("an empty series has segments %v", segs)
	}
}

func TestLevel(t *testing.T) {
	// Since the change at position 3: 20, 22, 21, 21 and the newest, 30.
	s, history := stepSeries([]float64{10, 11, 10, 20, 22, 21, 21, 30}, 3)
	l, ok := s.Level(history, 7)
	if !ok {
		t.Fatal("the newest run measured the series, but there is no level")
	}
	sd := math.Sqrt(2.0 / 3) // of 20, 22, 21, 21
	if l.Since.Index != 3 || l.Runs != 4 || l.Mean != 21 || math.Abs(l.SD-sd) > 1e-12 || math.Abs(l.Change-(30.0/21-1)) > 1e-12 {
		t.Errorf("level %+v, want since run 3, 4 runs, mean 21, sd %g, change %g", l, sd, 30.0/21-1)
	}
	lo, hi, ok := l.Band()
	if !ok || math.Abs(lo-(21-2*sd)) > 1e-12 || math.Abs(hi-(21+2*sd)) > 1e-12 {
		t.Errorf("band [%g, %g] %v, want 21 ± %g", lo, hi, ok, 2*sd)
	}
	if pos, ok := l.Position(); pos != 1 || !ok {
		t.Errorf("30 against 21 ± %.2f: position %d %v, want above (1)", 2*sd, pos, ok)
	}
	l.Newest.Value = 21.5
	if pos, ok := l.Position(); pos != 0 || !ok {
		t.Errorf("21.5: position %d %v, want within (0)", pos, ok)
	}

	// Without change points the level is the whole series before the newest.
	flat, history := stepSeries([]float64{5, 5, 5})
	if l, ok := flat.Level(history, 2); !ok || l.Since.Index != 0 || l.Runs != 2 || l.Mean != 5 || l.SD != 0 || l.Change != 0 {
		t.Errorf("flat level %+v %v", l, ok)
	}
	// One run before the newest: a mean but no band.
	two, history := stepSeries([]float64{5, 6})
	if l, ok := two.Level(history, 1); !ok || l.Runs != 1 || !math.IsNaN(l.SD) {
		t.Errorf("level of two runs %+v %v", l, ok)
	} else if _, _, ok := l.Band(); ok {
		t.Error("a band from one run")
	} else if _, ok := l.Position(); ok {
		t.Error("a position without a band")
	}
	// The newest run did not measure the series.
	if _, ok := two.Level(history, 2); ok {
		t.Error("a level for a series the newest run did not measure")
	}
}

func TestMetricTitle(t *testing.T) {
	for metric, want := range map[string]string{
		"median_ttft_ms": "median TTFT", "p99_e2el_ms": "p99 E2EL", "output_throughput": "output throughput",
	} {
		if got := MetricTitle(metric); got != want {
			t.Errorf("MetricTitle(%q) = %q, want %q", metric, got, want)
		}
	}
	if got := (Series{Metric: "median_tpot_ms", Unit: "ms"}).Title(); got != "median TPOT (ms)" {
		t.Errorf("title %q", got)
	}
}
