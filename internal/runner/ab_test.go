package runner

import (
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestABFileName(t *testing.T) {
	tests := []struct {
		name  string
		round int
		want  string
	}{
		{"qs_TP1_DP1_CTX512_C8_P64_O128.json", 1, "qs_TP1_DP1_CTX512_C8_P64_O128_round1.json"},
		{"qs_TP1_DP1_CTX512_C8_P64_O128.failed.json", 3, "qs_TP1_DP1_CTX512_C8_P64_O128_round3.failed.json"},
		{"qs_TP1_DP1_CTX512_C8_P64_O128_R2.5.json", 12, "qs_TP1_DP1_CTX512_C8_P64_O128_R2.5_round12.json"},
	}
	for _, tt := range tests {
		if got := ABFileName(tt.name, tt.round); got != tt.want {
			t.Errorf("ABFileName(%q, %d) = %q, want %q", tt.name, tt.round, got, tt.want)
		}
		// A round's file must never read as a sweep point (at a request
		// rate named by the round).
		if _, p, err := sweep.ParseResultName(ABFileName(tt.name, tt.round)); err == nil {
			t.Errorf("ABFileName(%q, %d) parses as the point %s", tt.name, tt.round, p.Label())
		}
	}
}
