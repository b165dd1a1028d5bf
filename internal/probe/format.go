package probe

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
)

// fmtNum prints a value for a hint: whole numbers from 100 up with
// thousands separators (1,410), smaller ones with two or three
// significant digits (12.5, 0.41, 0.00041).
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "n/a"
	case a >= 100 || v == math.Trunc(v):
		return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	case a >= 1:
		return sigfig.Trim(v, 3)
	default:
		return sigfig.Trim(v, 2)
	}
}

// ms prints a duration in milliseconds, a lag or its bound, with three
// significant digits however small: "0.014", never "0.000".
func ms(v float64) string { return sigfig.Trim(v, 3) }

// fmtPct prints a share or a usage in percent: "64 %".
func fmtPct(v float64) string { return fmt.Sprintf("%.0f %%", v) }

// fmtChange prints a relative change: "+38 %", "-12 %".
func fmtChange(rel float64) string { return fmt.Sprintf("%+.0f %%", 100*rel) }

// groupThousands puts commas between groups of three digits of an integer.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// lines counts lines: "1 line", "3 lines".
func lines(n int) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}
