package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// noisySteps returns n observations of 1 + cv·N(0,1), multiplied by
// (1+steps[k]) from index at[k] on.
func noisySteps(seed uint64, n int, cv float64, at []int, steps []float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	xs := make([]float64, n)
	for i := range xs {
		level := 1.0
		for k, a := range at {
			if i >= a {
				level *= 1 + steps[k]
			}
		}
		xs[i] = level * (1 + cv*rng.NormFloat64())
	}
	return xs
}

func indexes(cps []ChangePoint) []int {
	out := make([]int, len(cps))
	for i, c := range cps {
		out[i] = c.Index
	}
	return out
}

func TestEDivisiveKnownSteps(t *testing.T) {
	tests := []struct {
		name  string
		xs    []float64
		want  []int
		slack int // how far a found index may be from the true one
	}{
		{"one step up", noisySteps(1, 40, 0.01, []int{20}, []float64{0.05}), []int{20}, 0},
		{"one step down", noisySteps(2, 40, 0.01, []int{25}, []float64{-0.05}), []int{25}, 0},
		{"two steps", noisySteps(3, 60, 0.01, []int{20, 40}, []float64{0.05, 0.05}), []int{20, 40}, 0},
		{"step and return", noisySteps(4, 60, 0.01, []int{20, 40}, []float64{0.06, -1 + 1/1.06}), []int{20, 40}, 0},
		{"8 then 6 slower", noisySteps(5, 14, 0.01, []int{8}, []float64{0.10}), []int{8}, 0},
		{"late step of 3 runs", noisySteps(6, 30, 0.01, []int{27}, []float64{0.08}), []int{27}, 0},
		{"late step of 2 runs: not yet", noisySteps(6, 30, 0.01, []int{28}, []float64{0.08}), nil, 0},
		{"old step and a step of 2 runs", noisySteps(11, 40, 0.01, []int{15, 38}, []float64{0.08, 0.08}), []int{15}, 0},
		{"3 % step in 2 % noise, 100 runs", noisySteps(7, 100, 0.02, []int{50}, []float64{0.03}), []int{50}, 3},
		{"noise only", noisySteps(8, 100, 0.05, nil, nil), nil, 0},
		{"constant", []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, nil, 0},
		{"too short to split", []float64{1, 1, 1, 2, 2}, nil, 0},
		{"empty", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cps, err := EDivisive(tt.xs, EDivisiveOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := indexes(cps)
			if len(got) != len(tt.want) {
				t.Fatalf("change points at %v, want %v", got, tt.want)
			}
			for i := range got {
				if d := got[i] - tt.want[i]; d < -tt.slack || d > tt.slack {
					t.Errorf("change point %d at %d, want %d±%d", i, got[i], tt.want[i], tt.slack)
				}
				if cps[i].P > DefaultChangePointAlpha || cps[i].Q <= 0 {
					t.Errorf("change point %d: p = %g, q = %g", i, cps[i].P, cps[i].Q)
				}
			}
		})
	}
}

// TestEDivisiveNoiseRate checks that the permutation test holds its level:
// on series of pure noise about Alpha of them show a change point.
func TestEDivisiveNoiseRate(t *testing.T) {
	const series = 300
	flagged := 0
	for s := range series {
		cps, err := EDivisive(noisySteps(uint64(100+s), 30, 0.03, nil, nil), EDivisiveOptions{Seed: uint64(s)})
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) > 0 {
			flagged++
		}
	}
	// Expected 3 of 300 at alpha 0.01; 12 or more has probability < 1e-4.
	if flagged >= 12 {
		t.Errorf("%d of %d noise-only series show a change point, want about %g", flagged, series, DefaultChangePointAlpha*series)
	}
}

// TestEnergyStatistic compares the prefix-sum statistic with the definition
// computed directly.
func TestEnergyStatistic(t *testing.T) {
	xs := []float64{1.2, 0.7, 3.1, 2.2, 2.9, 0.4, 5.0, 4.4, 4.9}
	for _, exponent := range []float64{1, 0.5, 1.5} {
		e := newEnergy(len(xs))
		e.fill(xs, exponent)
		got := e.bestSplit(0, len(xs), 2)
		want := split{tau: -1, q: math.Inf(-1)}
		dist := func(a, b float64) float64 { return math.Pow(math.Abs(a-b), exponent) }
		for tau := 2; tau+2 <= len(xs); tau++ {
			x, y := xs[:tau], xs[tau:]
			m, n := float64(len(x)), float64(len(y))
			var between, wx, wy float64
			for _, a := range x {
				for _, b := range y {
					between += dist(a, b)
				}
			}
			for i := range x {
				for k := i + 1; k < len(x); k++ {
					wx += dist(x[i], x[k])
				}
			}
			for i := range y {
				for k := i + 1; k < len(y); k++ {
					wy += dist(y[i], y[k])
				}
			}
			q := m * n / (m + n) * (2*between/(m*n) - wx/(m*(m-1)/2) - wy/(n*(n-1)/2))
			if q > want.q {
				want = split{tau: tau, q: q}
			}
		}
		if got.tau != want.tau || !near(got.q, want.q, 1e-9) {
			t.Errorf("exponent %g: best split %+v, want %+v", exponent, got, want)
		}
	}
}

func TestEDivisivePValue(t *testing.T) {
	// A clean step: no permutation reaches the observed statistic, so p is
	// the smallest the permutation count allows.
	xs := []float64{1, 1.01, 0.99, 1, 1.02, 0.98, 2, 2.01, 1.99, 2, 2.02, 1.98}
	cps, err := EDivisive(xs, EDivisiveOptions{Permutations: 199, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 1 || cps[0].Index != 6 || cps[0].P != 1.0/200 {
		t.Errorf("got %+v, want one change point at 6 with p = 1/200", cps)
	}
	// The same seed gives the same answer.
	again, _ := EDivisive(xs, EDivisiveOptions{Permutations: 199, Seed: 3})
	if len(again) != 1 || again[0] != cps[0] {
		t.Errorf("not reproducible: %+v then %+v", cps, again)
	}
}

func TestEDivisiveErrors(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		opts EDivisiveOptions
	}{
		{"nan", []float64{1, math.NaN(), 2, 3, 4, 5}, EDivisiveOptions{}},
		{"infinity", []float64{1, math.Inf(1), 2, 3, 4, 5}, EDivisiveOptions{}},
		{"alpha 1", []float64{1, 2}, EDivisiveOptions{Alpha: 1}},
		{"minimum segment 1", []float64{1, 2}, EDivisiveOptions{MinSegment: 1}},
		{"exponent 2", []float64{1, 2}, EDivisiveOptions{Exponent: 2}},
		{"negative permutations", []float64{1, 2}, EDivisiveOptions{Permutations: -1}},
	}
	for _, tt := range tests {
		if _, err := EDivisive(tt.xs, tt.opts); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := EDivisive([]float64{1, math.NaN()}, EDivisiveOptions{}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("nan: err = %v, want ErrNotFinite", err)
	}
}

func BenchmarkEDivisive(b *testing.B) {
	for _, n := range []int{30, 100, 365} {
		xs := noisySteps(10, n, 0.02, []int{n / 2}, []float64{0.05})
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				if _, err := EDivisive(xs, EDivisiveOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
