package stats

import (
	"errors"
	"math"
	"testing"
)

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

func TestMannWhitneyU(t *testing.T) {
	tests := []struct {
		name      string
		x, y      []float64
		wantU     float64
		wantP     float64
		tol       float64
		wantExact bool
	}{
		{
			// R's ?wilcox.test example: W = 35, one-sided p = 0.1272 (exact),
			// so the two-sided p is twice that.
			name:      "r wilcox.test example",
			x:         []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46},
			y:         []float64{1.15, 0.88, 0.90, 0.74, 1.21},
			wantU:     35,
			wantP:     0.2544,
			tol:       0.0002,
			wantExact: true,
		},
		{
			// Complete separation of 3 and 3: 1 ordering of C(6,3) = 20 in
			// each tail, so p = 2/20.
			name: "complete separation", x: []float64{1, 2, 3}, y: []float64{4, 5, 6},
			wantU: 0, wantP: 0.1, tol: 1e-12, wantExact: true,
		},
		{
			// Ties: normal approximation with tie and continuity corrections,
			// worked by hand: mid-ranks give U = 11.5, var = 48.1923,
			// z = 1.29644, p = 0.194823 (R: wilcox.test(x, y, exact=FALSE)).
			name:  "ties use the normal approximation",
			x:     []float64{1, 2, 2, 3, 5, 7},
			y:     []float64{2, 3, 4, 4, 6, 8, 9},
			wantU: 11.5, wantP: 0.194823, tol: 1e-5,
		},
		{
			name: "all equal", x: []float64{1, 1, 1}, y: []float64{1, 1},
			wantU: 3, wantP: 1, tol: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MannWhitneyU(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if got.U != tt.wantU || !near(got.P, tt.wantP, tt.tol) || got.Exact != tt.wantExact {
				t.Errorf("MannWhitneyU = %+v, want U=%v P=%v exact=%v", got, tt.wantU, tt.wantP, tt.wantExact)
			}
		})
	}
}

func TestMannWhitneyUExactMatchesNormalForLargeSamples(t *testing.T) {
	// At the cut-over, the exact and approximate p-values agree closely.
	var x, y []float64
	for i := range 40 {
		x = append(x, float64(2*i))
		y = append(y, float64(2*i)+13.5)
	}
	exact, err := MannWhitneyU(x, y)
	if err != nil || !exact.Exact {
		t.Fatalf("want exact result, got %+v, %v", exact, err)
	}
	approx := normalMWUP(len(x), len(y), exact.U, 0)
	if !near(exact.P, approx, 0.002) {
		t.Errorf("exact p %v and normal p %v differ", exact.P, approx)
	}
}

func TestMannWhitneyUEmpty(t *testing.T) {
	if _, err := MannWhitneyU(nil, []float64{1}); !errors.Is(err, ErrEmptySample) {
		t.Errorf("err = %v, want ErrEmptySample", err)
	}
}

func TestWelchTTest(t *testing.T) {
	tests := []struct {
		name                 string
		x, y                 []float64
		wantT, wantDF, wantP float64
		tol                  float64
	}{
		{
			// R: t.test(extra ~ group, data = sleep):
			// t = -1.8608, df = 17.776, p-value = 0.07939 (group 1 minus 2).
			name:  "r sleep data",
			x:     []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4},
			y:     []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0},
			wantT: -1.8608, wantDF: 17.776, wantP: 0.07939, tol: 1e-3,
		},
		{
			name: "zero variance, equal", x: []float64{2, 2}, y: []float64{2, 2},
			wantT: 0, wantDF: math.Inf(1), wantP: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WelchTTest(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.T, tt.wantT, tt.tol) || !(got.DF == tt.wantDF || near(got.DF, tt.wantDF, tt.tol)) || !near(got.P, tt.wantP, tt.tol/10+1e-12) {
				t.Errorf("WelchTTest = %+v, want t=%v df=%v p=%v", got, tt.wantT, tt.wantDF, tt.wantP)
			}
		})
	}
	if _, err := WelchTTest([]float64{1}, []float64{1, 2}); !errors.Is(err, ErrTooFew) {
		t.Errorf("one value: err = %v, want ErrTooFew", err)
	}
}

func TestPredictionInterval(t *testing.T) {
	// Five values, mean 100, sd sqrt(2.5); t(0.975, 4) = 2.776445.
	h := []float64{98, 99, 100, 101, 102}
	iv, err := PredictionInterval(h, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	half := 2.776445 * math.Sqrt(2.5) * math.Sqrt(1.2)
	if !near(iv.Lo, 100-half, 1e-4) || !near(iv.Hi, 100+half, 1e-4) {
		t.Errorf("interval = %+v, want 100 ± %v", iv, half)
	}
	// The test inverts the interval.
	for _, x := range []float64{iv.Hi - 0.01, iv.Hi + 0.01} {
		res, err := PredictionTest(h, x)
		if err != nil {
			t.Fatal(err)
		}
		if (res.P < 0.05) == iv.Contains(x) {
			t.Errorf("x=%v: p=%v but contained=%v", x, res.P, iv.Contains(x))
		}
	}
	if _, err := PredictionInterval([]float64{1}, 0.95); !errors.Is(err, ErrTooFew) {
		t.Errorf("err = %v, want ErrTooFew", err)
	}
}

func TestAdjustBH(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want []float64
	}{
		{"r p.adjust", []float64{0.01, 0.04, 0.03, 0.005}, []float64{0.02, 0.04, 0.04, 0.02}},
		{"monotone and capped", []float64{0.5, 0.9, 0.02}, []float64{0.75, 0.9, 0.06}},
		{"nan skipped", []float64{0.01, math.NaN(), 0.04}, []float64{0.02, math.NaN(), 0.04}},
		{"empty", nil, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AdjustBH(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("AdjustBH = %v, want %v", got, tt.want)
			}
			for i := range got {
				if !(near(got[i], tt.want[i], 1e-12) || math.IsNaN(got[i]) && math.IsNaN(tt.want[i])) {
					t.Errorf("AdjustBH = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{4, 1, 3, 2}
	tests := []struct{ q, want float64 }{{0, 1}, {0.5, 2.5}, {0.99, 3.97}, {1, 4}}
	for _, tt := range tests {
		if got := Quantile(xs, tt.q); !near(got, tt.want, 1e-12) {
			t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestClassify(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		e    Evidence
		want Verdict
	}{
		{"latency worse, significant", Evidence{Change: 0.10, LowerIsBetter: true, P: 0.001, Alpha: 0.05, Tolerance: 0.05}, Regression},
		{"latency better, significant", Evidence{Change: -0.10, LowerIsBetter: true, P: 0.001, Alpha: 0.05, Tolerance: 0.05}, Improvement},
		{"throughput lower, significant", Evidence{Change: -0.10, P: 0.001, Alpha: 0.05, Tolerance: 0.05}, Regression},
		{"throughput higher, significant", Evidence{Change: 0.10, P: 0.001, Alpha: 0.05, Tolerance: 0.05}, Improvement},
		{"significant within tolerance, shown within the bound", Evidence{Change: 0.03, LowerIsBetter: true, P: 1e-9, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Decision: &Interval{Lo: 0.02, Hi: 0.04}}, Unchanged},
		{"significant within tolerance, not shown within the bound", Evidence{Change: 0.03, LowerIsBetter: true, P: 1e-9, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Decision: &Interval{Lo: 0.01, Hi: 0.06}}, Undecided},
		{"within tolerance, no decision interval", Evidence{Change: 0.03, LowerIsBetter: true, P: 1e-9, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05}, Undecided},
		{"large but not significant", Evidence{Change: 0.30, LowerIsBetter: true, P: 0.2, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Decision: &Interval{Lo: -0.1, Hi: 0.7}}, Undecided},
		{"p equal to alpha is not significant", Evidence{Change: 0.30, LowerIsBetter: true, P: 0.05, Alpha: 0.05, Tolerance: 0.05}, Undecided},
		{"no test: tolerance alone", Evidence{Change: -0.08, P: nan, Alpha: 0.05, Tolerance: 0.05}, Regression},
		{"no test: within tolerance and shown within the bound", Evidence{Change: -0.01, P: nan, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Decision: &Interval{Lo: -0.04, Hi: 0.02}}, Unchanged},
		{"no test: within tolerance, not shown within it", Evidence{Change: -0.04, P: nan, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Decision: &Interval{Lo: -0.08, Hi: 0.00}}, Undecided},
		{"widened tolerance: a 10 % change within it is not unchanged", Evidence{Change: 0.10, LowerIsBetter: true, P: 0.3, Alpha: 0.05, Tolerance: 0.21, Bound: 0.05, Decision: &Interval{Lo: 0.06, Hi: 0.14}}, Undecided},
		{"unknown change", Evidence{Change: nan, P: 0.01, Alpha: 0.05, Tolerance: 0.05}, Undecided},
		{"interval includes no change", Evidence{Change: 0.20, LowerIsBetter: true, P: 1e-6, Alpha: 0.05, Tolerance: 0.05, Interval: &Interval{Lo: -0.10, Hi: 0.45}}, Undecided},
		{"interval includes no change, within tolerance", Evidence{Change: 0.02, LowerIsBetter: true, P: 1e-6, Alpha: 0.05, Tolerance: 0.05, Bound: 0.05, Interval: &Interval{Lo: -0.10, Hi: 0.15}, Decision: &Interval{Lo: -0.01, Hi: 0.04}}, Unchanged},
		{"interval excludes no change", Evidence{Change: 0.20, LowerIsBetter: true, P: 1e-6, Alpha: 0.05, Tolerance: 0.05, Interval: &Interval{Lo: 0.12, Hi: 0.28}}, Regression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.e); got != tt.want {
				t.Errorf("Classify(%+v) = %s, want %s", tt.e, got, tt.want)
			}
		})
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []Verdict
		want Verdict
	}{
		{nil, Unchanged},
		{[]Verdict{Unchanged, Improvement}, Improvement},
		{[]Verdict{Improvement, Regression, Unchanged}, Regression},
		{[]Verdict{Regression, Failed}, Failed},
		{[]Verdict{New, Unchanged}, New},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNoiseTolerance(t *testing.T) {
	quiet := []float64{100, 100.5, 99.5, 100, 100.2}
	noisy := []float64{100, 110, 90, 105, 95} // CV ~ 7.9%
	tests := []struct {
		name string
		h    []float64
		want float64
	}{
		{"short history keeps tolerance", noisy[:4], 0.05},
		{"quiet history keeps tolerance", quiet, 0.05},
		{"noisy history raises it", noisy, 3 * CV(noisy)},
	}
	for _, tt := range tests {
		if got := NoiseTolerance(0.05, tt.h); !near(got, tt.want, 1e-12) {
			t.Errorf("%s: NoiseTolerance = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDetectableChange(t *testing.T) {
	// (1.959964 + 0.841621) * sqrt(2) * 0.02 = 0.0792
	if got := DetectableChange(0.02, 0.05, 0.8); !near(got, 0.079243, 1e-5) {
		t.Errorf("DetectableChange = %v", got)
	}
}

func TestWelchRelChangeCI(t *testing.T) {
	// R: t.test(sleep group 2, group 1) gives a 95% interval of the
	// difference of means of [-0.2054832, 3.3654832]; mean(group 1) = 0.75.
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	iv, err := WelchRelChangeCI(g1, g2, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !near(iv.Lo, -0.2054832/0.75, 1e-5) || !near(iv.Hi, 3.3654832/0.75, 1e-5) {
		t.Errorf("interval = %+v", iv)
	}
}
