package loadgen

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestScheduleFixed(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		n          int
		rate       float64
		burstiness float64
		want       []time.Duration
	}{
		{"no requests", 0, 1, 1, nil},
		{"unlimited rate sends all at once", 3, 0, 1, []time.Duration{0, 0, 0}},
		{"infinite rate sends all at once", 2, math.Inf(1), 1, []time.Duration{0, 0}},
		{"infinite burstiness gives constant gaps", 4, 4, math.Inf(1), []time.Duration{0, 250 * ms, 500 * ms, 750 * ms}},
		{"zero burstiness gives constant gaps", 3, 2, 0, []time.Duration{0, 500 * ms, 1000 * ms}},
		{"one request arrives at once", 1, 10, 1, []time.Duration{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Schedule(7, tt.n, tt.rate, tt.burstiness)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Schedule(7, %d, %g, %g) = %v, want %v", tt.n, tt.rate, tt.burstiness, got, tt.want)
			}
		})
	}
}

func TestScheduleGamma(t *testing.T) {
	const n = 20000
	tests := []struct {
		rate, burstiness float64
	}{
		{10, 1},   // Poisson: CV of gaps 1
		{4, 0.25}, // bursty: CV 2
		{50, 4},   // regular: CV 0.5
	}
	for _, tt := range tests {
		s := Schedule(1, n, tt.rate, tt.burstiness)
		if !slices.IsSorted(s) || s[0] != 0 {
			t.Fatalf("rate %g burstiness %g: offsets not sorted from 0", tt.rate, tt.burstiness)
		}
		gaps := make([]float64, n-1)
		var sum float64
		for i := 1; i < n; i++ {
			gaps[i-1] = (s[i] - s[i-1]).Seconds()
			sum += gaps[i-1]
		}
		mean := sum / float64(len(gaps))
		var ss float64
		for _, g := range gaps {
			ss += (g - mean) * (g - mean)
		}
		cv := math.Sqrt(ss/float64(len(gaps))) / mean
		wantMean, wantCV := 1/tt.rate, 1/math.Sqrt(tt.burstiness)
		if math.Abs(mean/wantMean-1) > 0.05 {
			t.Errorf("rate %g burstiness %g: mean gap %.4g s, want %.4g", tt.rate, tt.burstiness, mean, wantMean)
		}
		if math.Abs(cv/wantCV-1) > 0.08 {
			t.Errorf("rate %g burstiness %g: gap CV %.3f, want %.3f", tt.rate, tt.burstiness, cv, wantCV)
		}
	}
}

func TestScheduleReproducible(t *testing.T) {
	a, b := Schedule(42, 100, 5, 0.7), Schedule(42, 100, 5, 0.7)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave two schedules")
	}
	if slices.Equal(a, Schedule(43, 100, 5, 0.7)) {
		t.Fatal("two seeds gave the same schedule")
	}
}
