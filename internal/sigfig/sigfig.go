package sigfig

import (
	"math"
	"strconv"
	"strings"
)

// Format prints v with digits significant digits (at least 1), in plain
// decimal notation, never an exponent: Format(0.01404, 3) is "0.0140",
// Format(95.437, 4) "95.44", Format(849.77, 4) "849.8". A value with more
// integer digits than digits keeps them all (Format(12345.6, 4) is
// "12346"). Zero is "0"; NaN and infinities are "-".
func Format(v float64, digits int) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case v == 0:
		return "0"
	}
	digits = max(digits, 1)
	decimals := digits - 1 - exponent(v)
	if decimals <= 0 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	// Rounding up may carry into a new leading digit (9.9996 -> 10.000):
	// one decimal fewer keeps the count of significant digits.
	if r, err := strconv.ParseFloat(s, 64); err == nil && r != 0 && exponent(r) > exponent(v) {
		s = strconv.FormatFloat(v, 'f', decimals-1, 64)
	}
	return s
}

// Trim is Format without the trailing zeros of the decimals, for prose:
// Trim(0.5, 3) is "0.5", Trim(12.04, 3) "12".
func Trim(v float64, digits int) string {
	s := Format(v, digits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// exponent is the power of ten of v's leading digit: 2 for 849.8, -2 for
// 0.014.
func exponent(v float64) int {
	return int(math.Floor(math.Log10(math.Abs(v))))
}
