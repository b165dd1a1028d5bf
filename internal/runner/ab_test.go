package runner

import "testing"

func TestABFileName(t *testing.T) {
	tests := []struct {
		name  string
		round int
		want  string
	}{
		{"qs_TP1_DP1_CTX512_C8_P64_O128.json", 1, "qs_TP1_DP1_CTX512_C8_P64_O128_R1.json"},
		{"qs_TP1_DP1_CTX512_C8_P64_O128.failed.json", 3, "qs_TP1_DP1_CTX512_C8_P64_O128_R3.failed.json"},
		{"qs_TP1_DP1_CTX512_C8_P64_O128_R2.5.json", 12, "qs_TP1_DP1_CTX512_C8_P64_O128_R2.5_R12.json"},
	}
	for _, tt := range tests {
		if got := ABFileName(tt.name, tt.round); got != tt.want {
			t.Errorf("ABFileName(%q, %d) = %q, want %q", tt.name, tt.round, got, tt.want)
		}
	}
}
