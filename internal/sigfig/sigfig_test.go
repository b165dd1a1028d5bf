package sigfig

import (
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		v      float64
		digits int
		want   string
	}{
		{0.014, 3, "0.0140"},
		{0.0004, 3, "0.000400"},
		{0.00004, 2, "0.000040"},
		{-0.00123456, 3, "-0.00123"},
		{95.437, 4, "95.44"},
		{849.77, 4, "849.8"},
		{8.4821, 4, "8.482"},
		{1531.2, 4, "1531"},
		{12345.6, 4, "12346"},
		{9.9996, 4, "10.00"},
		{0.099996, 3, "0.100"},
		{1, 1, "1"},
		{0.5, 0, "0.5"},
		{0, 4, "0"},
		{math.NaN(), 4, "-"},
		{math.Inf(-1), 4, "-"},
	}
	for _, tt := range tests {
		if got := Format(tt.v, tt.digits); got != tt.want {
			t.Errorf("Format(%v, %d) = %q, want %q", tt.v, tt.digits, got, tt.want)
		}
	}
}

// TestFormatNeverZero: no non-zero value, however small, prints as a zero.
func TestFormatNeverZero(t *testing.T) {
	for v := 1e-9; v < 1e4; v *= 3.7 {
		for _, digits := range []int{1, 2, 3, 4} {
			s := Format(v, digits)
			if s == "0" || s == "-" || strings.Trim(s, "0.") == "" {
				t.Errorf("Format(%g, %d) = %q reads as zero", v, digits, s)
			}
		}
	}
}

func TestTrim(t *testing.T) {
	tests := []struct {
		v      float64
		digits int
		want   string
	}{
		{0.5, 3, "0.5"},
		{12.04, 3, "12"},
		{0.0004, 3, "0.0004"},
		{1500, 3, "1500"},
		{0.41, 2, "0.41"},
	}
	for _, tt := range tests {
		if got := Trim(tt.v, tt.digits); got != tt.want {
			t.Errorf("Trim(%v, %d) = %q, want %q", tt.v, tt.digits, got, tt.want)
		}
	}
}
