package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestDescribe(t *testing.T) {
	tests := []struct {
		samplesS []float64
		want     Stats
	}{
		{nil, Stats{}},
		{[]float64{0.004, 0.001, 0.003, 0.002}, Stats{MeanMs: 2.5, MedianMs: 2.5, StdMs: math.Sqrt(1.25), P90Ms: 3.7, P99Ms: 3.97}},
		{[]float64{0.3, 0.2}, Stats{MeanMs: 250, MedianMs: 250, StdMs: 50, P90Ms: 290, P99Ms: 299}},
	}
	for _, tt := range tests {
		got := Describe(tt.samplesS)
		if !near(got.MeanMs, tt.want.MeanMs) || !near(got.MedianMs, tt.want.MedianMs) || !near(got.StdMs, tt.want.StdMs) ||
			!near(got.P90Ms, tt.want.P90Ms) || !near(got.P99Ms, tt.want.P99Ms) {
			t.Errorf("Describe(%v) = %+v, want %+v", tt.samplesS, got, tt.want)
		}
	}
}

func TestITLHistMatchesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 1001} {
		var h itlHist
		values := make([]float64, n)
		for i := range values {
			values[i] = math.Round(r.ExpFloat64()*20000+5000) / 1e6 // whole microseconds
			h.add(values[i])
		}
		got, want := h.stats(), Describe(values)
		if !near(got.MeanMs, want.MeanMs) || !near(got.MedianMs, want.MedianMs) || !near(got.StdMs, want.StdMs) ||
			!near(got.P90Ms, want.P90Ms) || !near(got.P99Ms, want.P99Ms) {
			t.Errorf("n=%d: histogram %+v, exact %+v", n, got, want)
		}
	}
}
