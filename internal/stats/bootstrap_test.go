package stats

import (
	"math/rand/v2"
	"testing"
)

// latencySample returns n log-normal-ish latencies around median ms.
func latencySample(seed uint64, n int, median float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = median * (0.8 + 0.4*rng.Float64()) * (1 + 0.1*rng.NormFloat64())
	}
	return xs
}

func TestBootstrapRelChangeReproducible(t *testing.T) {
	base := latencySample(1, 200, 50)
	cur := latencySample(2, 200, 55)
	a, err := BootstrapRelChange(base, cur, BootstrapOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BootstrapRelChange(base, cur, BootstrapOptions{Seed: 7})
	if a != b {
		t.Errorf("same seed, different intervals: %+v vs %+v", a, b)
	}
	c, _ := BootstrapRelChange(base, cur, BootstrapOptions{Seed: 8})
	if a == c {
		t.Errorf("different seeds gave the same interval %+v", a)
	}
	point := Median(cur)/Median(base) - 1
	if !a.Contains(point) || a.Level != DefaultLevel {
		t.Errorf("interval %+v does not hold the point estimate %v", a, point)
	}
	if a.Lo <= 0 {
		t.Errorf("a 10%% shift on 200 samples should exclude zero: %+v", a)
	}
}

func TestBootstrapRelChangeQuantile(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	iv, err := BootstrapRelChange(xs, xs, BootstrapOptions{Quantile: 0.99, Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !iv.Contains(0) {
		t.Errorf("identical samples: interval %+v excludes 0", iv)
	}
}

func BenchmarkBootstrapRelChange1000(b *testing.B) {
	base := latencySample(1, 1000, 50)
	cur := latencySample(2, 1000, 51)
	for b.Loop() {
		_, _ = BootstrapRelChange(base, cur, BootstrapOptions{})
	}
}

func BenchmarkMannWhitneyUExact50(b *testing.B) {
	x := latencySample(1, 50, 50)
	y := latencySample(2, 50, 51)
	for b.Loop() {
		_, _ = MannWhitneyU(x, y)
	}
}
