package app

import (
	"slices"
	"testing"
)

func TestSimArgsReadTheDriftEpoch(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "VLLM_BENCH_SIM_DRIFT_EPOCH" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name  string
		args  []string
		epoch string
		want  []string
	}{
		{"from the environment", []string{"m", "--sim-drift", "1.05"}, "1767323045", []string{"m", "--sim-drift", "1.05", "--sim-drift-epoch", "1767323045"}},
		{"the flag wins", []string{"m", "--sim-drift-epoch", "5"}, "1767323045", []string{"m", "--sim-drift-epoch", "5"}},
		{"the flag with =", []string{"m", "--sim-drift-epoch=5"}, "1767323045", []string{"m", "--sim-drift-epoch=5"}},
		{"unset", []string{"m"}, "", []string{"m"}},
	}
	for _, tt := range tests {
		if got := simArgs(tt.args, env(tt.epoch)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
