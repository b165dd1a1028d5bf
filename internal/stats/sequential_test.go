package stats

import (
	"math"
	"testing"
)

func TestPairedEstimatesModerated(t *testing.T) {
	cells := []PairedCell{
		{Group: "g", LogRatios: []float64{0.1, 0.3}},          // mean 0.2, ss 0.02
		{Group: "g", LogRatios: []float64{0.0, 0.2}},          // mean 0.1, ss 0.02
		{Group: "g", LogRatios: []float64{0.0, 0.4}},          // mean 0.2, ss 0.08
		{Group: "alone", LogRatios: []float64{0.1, 0.3, 0.2}}, // mean 0.2, ss 0.02
		{Group: "gaps", LogRatios: []float64{0.1, math.NaN(), 0.3}},
	}
	tests := []struct {
		name    string
		priorDF float64
		cell    int
		wantVar float64
		wantDF  float64
	}{
		// Others: ss 0.10 over 2 df; w = 2: (2·0.05 + 0.02) / 3.
		{"moderated towards the others", 2, 0, 0.04, 3},
		// w = min(10, 2) = 2: the others weigh what they hold, no more.
		{"weight capped by the others' df", 10, 0, 0.04, 3},
		// w = 1: (1·0.05 + 0.02) / 2.
		{"smaller prior weight", 1, 0, 0.035, 2},
		{"own variance only", 0, 0, 0.02, 1},
		{"a group of one keeps its own", 2, 3, 0.01, 2},
		{"non-finite rounds are left out", 2, 4, 0.02, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pairedEstimates(cells, tt.priorDF)[tt.cell]
			if !near(e.sdLog*e.sdLog, tt.wantVar, 1e-12) || e.df != tt.wantDF {
				t.Errorf("variance %v df %v, want %v and %v", e.sdLog*e.sdLog, e.df, tt.wantVar, tt.wantDF)
			}
		})
	}
	e := pairedEstimates(cells, 2)[0]
	// t = 0.2 / (0.2/sqrt 2) = sqrt 2 on 3 df.
	if want := twoSidedT(math.Sqrt2, 3); !near(e.twoSidedP(), want, 1e-12) {
		t.Errorf("p = %v, want %v", e.twoSidedP(), want)
	}
}

func TestSequentialBonferroniOverLooks(t *testing.T) {
	cells := []PairedCell{{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.02, 0.05, 0.01}}}
	p := pairedEstimates(cells, DefaultPriorDF)[0].twoSidedP()
	for _, tt := range []struct {
		maxRounds int
		want      float64
	}{
		// Three rounds were run, so a 2-round plan has had two looks.
		{2, math.Min(1, 2*p)}, {3, math.Min(1, 2*p)}, {4, math.Min(1, 3*p)}, {8, math.Min(1, 7*p)},
	} {
		r := Sequential(cells, SequentialOptions{Tolerance: 0.05, MaxRounds: tt.maxRounds}).Cells[0]
		if !near(r.P, tt.want, 1e-12) {
			t.Errorf("MaxRounds %d: P = %v, want %v", tt.maxRounds, r.P, tt.want)
		}
	}
}

// group returns n cells of one group whose per-round ratios are base[k]
// moved by a small alternating amount that grows from cell to cell, so
// the first cell is the quietest of its group.
func group(name string, n int, lowerIsBetter bool, base ...float64) []PairedCell {
	cells := make([]PairedCell, n)
	for i := range cells {
		rs := make([]float64, len(base))
		for k, b := range base {
			rs[k] = b + 0.002*(1+0.1*float64(i))*float64(2*(k%2)-1)
		}
		cells[i] = PairedCell{Group: name, LowerIsBetter: lowerIsBetter, LogRatios: rs}
	}
	return cells
}

func TestSequentialVerdicts(t *testing.T) {
	opts := SequentialOptions{Alpha: 0.05, Tolerance: 0.05, MaxRounds: 4}
	tests := []struct {
		name        string
		cells       []PairedCell
		wantVerdict Verdict
		wantSettled bool
		wantStop    bool
	}{
		{"clear latency regression stops at round 2", group("tpot", 6, true, 0.20, 0.21), Regression, true, true},
		{"throughput down is a regression", group("tput", 6, false, -0.15, -0.16), Regression, true, true},
		// The noisier cells' own variance holds their improvement back
		// for now, and only a regression stops a comparison early.
		{"throughput up is an improvement", group("tput", 6, false, 0.15, 0.16), Improvement, true, false},
		{"tight no-change is unchanged", group("tpot", 6, true, 0.001, -0.001), Unchanged, true, true},
		{"identical sides are unchanged", group("tpot", 3, true, 0, 0), Unchanged, true, true},
		{"one round cannot be judged", group("tpot", 6, true, 0.20), Undecided, false, false},
		{"a small significant change is not a regression", group("tpot", 6, true, 0.03, 0.031, 0.029), Unchanged, true, true},
		// One cell, own variance on 1 df: even 4 rounds cannot decide.
		{"hopeless noise is settled", []PairedCell{{Group: "ttft", LowerIsBetter: true, LogRatios: []float64{0.30, -0.28}}}, Undecided, true, true},
		// Wider than the tolerance but could still narrow: keep going.
		{"undecided cell continues", []PairedCell{
			{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.03, -0.01}},
			{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.01, -0.01}},
			{Group: "g", LowerIsBetter: true, LogRatios: []float64{-0.01, 0.01}},
		}, Undecided, false, false},
		{"the last round settles", []PairedCell{
			{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.07, 0.01, 0.09, 0.03}},
			{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.01, -0.01, 0.02, 0.0}},
		}, Undecided, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			look := Sequential(tt.cells, opts)
			r := look.Cells[0]
			if r.Verdict != tt.wantVerdict || r.Settled != tt.wantSettled || look.Stop != tt.wantStop {
				t.Errorf("verdict %s settled %v stop %v, want %s %v %v (change %.3f, interval [%.3f, %.3f], P %.3g, df %v)",
					r.Verdict, r.Settled, look.Stop, tt.wantVerdict, tt.wantSettled, tt.wantStop,
					r.Change, r.Interval.Lo, r.Interval.Hi, r.P, r.DF)
			}
			if !math.IsNaN(r.P) && !(r.Interval.Contains(r.Change) && r.Interval.Level < 1) {
				t.Errorf("interval %+v does not hold the change %v", r.Interval, r.Change)
			}
		})
	}
}

func TestSequentialRegressionStopsTheComparison(t *testing.T) {
	cells := append(group("tpot", 6, true, 0.20, 0.21), group("ttft", 6, true, 0.3, -0.3)...)
	look := Sequential(cells, SequentialOptions{Tolerance: 0.05})
	if !look.Stop || look.Cells[0].Verdict != Regression {
		t.Errorf("stop %v verdict %s: a regression settles the gate", look.Stop, look.Cells[0].Verdict)
	}
	if look.Cells[6].Settled && look.Cells[6].Verdict != Undecided {
		t.Errorf("noisy cell: %s", look.Cells[6].Verdict)
	}
}

func TestSequentialDriftCancels(t *testing.T) {
	// A machine slowing by 1 % a start: A B B A A B B A. Each round's
	// ratio is +-1 %, so the mean is exactly zero at even rounds.
	var ratios []float64
	for k := range 4 {
		a, b := float64(2*k), float64(2*k+1)
		if k%2 == 1 {
			a, b = b, a
		}
		ratios = append(ratios, 0.01*(b-a))
	}
	look := Sequential(group("tpot", 6, true, ratios...), SequentialOptions{Tolerance: 0.05})
	if r := look.Cells[1]; !near(r.Change, 0, 1e-12) || r.Verdict != Unchanged {
		t.Errorf("change %v verdict %s, want 0 and unchanged", r.Change, r.Verdict)
	}
}

// A cell whose decision interval lies wholly beyond the tolerance is a
// change, never undecided, and equal intervals get equal verdicts.
func TestDecideCellsFromInterval(t *testing.T) {
	opts := SequentialOptions{Tolerance: 0.05}
	// Two cells alike: both about -9 % throughput, tight.
	cells := group("tput", 6, false, -0.09, -0.095, -0.092)
	look := Sequential(cells, opts)
	a, b := look.Cells[0], look.Cells[1]
	if a.Verdict != Regression || b.Verdict != a.Verdict {
		t.Errorf("verdicts %s and %s for intervals %+v and %+v, want two regressions", a.Verdict, b.Verdict, a.Interval, b.Interval)
	}
	for _, r := range look.Cells {
		beyond := -r.Interval.Hi > opts.Tolerance || r.Interval.Lo > opts.Tolerance
		within := r.Interval.Lo >= -opts.Tolerance && r.Interval.Hi <= opts.Tolerance
		if beyond != (r.Verdict == Regression || r.Verdict == Improvement) || within != (r.Verdict == Unchanged) {
			t.Errorf("interval %+v gives %s", r.Interval, r.Verdict)
		}
	}
}

// A change of a cell's detectable size, added to its rounds, is flagged at
// the same look (the noise stays as it was, the change is the one the cell
// said it could see); a cell with one round has no detectable change, and
// more rounds of the same noise lower it.
func TestSequentialDetectable(t *testing.T) {
	opts := SequentialOptions{Alpha: 0.05, Tolerance: 0.05, MaxRounds: 4}
	noise := []float64{0.09, -0.07, 0.06, -0.08}
	for _, lower := range []bool{true, false} {
		cells := []PairedCell{{Group: "g", LowerIsBetter: lower, LogRatios: noise[:2]}, {Group: "g", LowerIsBetter: lower, LogRatios: []float64{0.01, -0.01}}}
		two := Sequential(cells, opts).Cells[0]
		cells[0].LogRatios, cells[1].LogRatios = noise, []float64{0.01, -0.01, 0.01, -0.01}
		four := Sequential(cells, opts).Cells[0]
		if four.Verdict != Undecided || !(four.Detectable > opts.Tolerance) || !(four.Detectable < two.Detectable) {
			t.Fatalf("lower %v: %s, detectable %.3f after 4 rounds, %.3f after 2: want undecided, above the tolerance and falling",
				lower, four.Verdict, four.Detectable, two.Detectable)
		}
		shift := math.Log1p(four.Detectable * 1.001)
		if !lower {
			shift = math.Log1p(-four.Detectable * 1.001)
		}
		moved := make([]float64, len(noise))
		for i, x := range noise {
			moved[i] = x + shift
		}
		cells[0].LogRatios = moved
		if got := Sequential(cells, opts).Cells[0]; got.Verdict != Regression {
			t.Errorf("lower %v: a change of the detectable %.3f is %s (interval %+v)", lower, four.Detectable, got.Verdict, got.Interval)
		}
	}
	one := Sequential([]PairedCell{{Group: "g", LowerIsBetter: true, LogRatios: []float64{0.2}}}, opts).Cells[0]
	if !math.IsInf(one.Detectable, 1) {
		t.Errorf("one round: detectable %v, want +Inf", one.Detectable)
	}
}

// SettledPoints names the points whose cells are all settled and none kept.
func TestSettledPoints(t *testing.T) {
	kept := SequentialResult{Settled: true, Verdict: Unchanged}
	cells := []PairedCell{
		{Point: "a"}, {Point: "a"}, // both settled
		{Point: "b"}, {Point: "b"}, // one undecided
		{Point: "c", Kept: &kept}, {Point: "c", Kept: &kept}, // settled before
		{}, // no point
	}
	look := SequentialLook{Cells: []SequentialResult{
		{Settled: true}, {Settled: true},
		{Settled: true}, {Settled: false},
		{Settled: true, Kept: true}, {Settled: true, Kept: true},
		{Settled: true},
	}}
	if got := look.SettledPoints(cells); len(got) != 1 || got[0] != "a" {
		t.Errorf("SettledPoints = %q, want [a]", got)
	}
}

// A kept cell keeps its result and stays in the family as never selected;
// Family counts cells judged elsewhere the same way.
func TestDecideCellsKeptAndFamily(t *testing.T) {
	opts := SequentialOptions{Alpha: 0.05, Tolerance: 0.05, MaxRounds: 4}
	cells := append(group("tpot", 2, true, 0.20, 0.21), group("ttft", 1, true, 0.020, 0.022, 0.021)...)
	first := Sequential(cells, opts)
	// The settled tpot point is kept with a result the data would not
	// give, so that a look that re-judged it would show.
	was := first.Cells[0]
	was.Verdict, was.Interval = Unchanged, Interval{Lo: -0.01, Hi: 0.01, Level: 0.9}
	cells[0].Kept = &was
	look := Sequential(cells, opts)
	if got := look.Cells[0]; !got.Kept || got.Verdict != Unchanged || got.Interval != was.Interval || got.PAdj != was.PAdj || !got.Settled {
		t.Errorf("kept cell re-judged: %+v, want %+v", got, was)
	}
	// The live cells are adjusted over all three, the kept one at p = 1.
	ps := []float64{1, look.Cells[1].P, look.Cells[2].P}
	if want := AdjustBH(ps); want[2] >= 1 || !near(look.Cells[1].PAdj, want[1], 1e-12) || !near(look.Cells[2].PAdj, want[2], 1e-12) {
		t.Errorf("adjusted p %v, %v; want %v, %v", look.Cells[1].PAdj, look.Cells[2].PAdj, want[1], want[2])
	}
	// One cell in a family of 10: adjusted as the smallest of 10.
	one := []PairedCell{cells[2]}
	opts.Family = 10
	got := Sequential(one, opts).Cells[0]
	if want := math.Min(1, 10*got.P); want >= 1 || !near(got.PAdj, want, 1e-12) {
		t.Errorf("Family 10: adjusted p %v, want %v", got.PAdj, want)
	}
}
