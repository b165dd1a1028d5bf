package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sigfig"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// mark is the symbol of a verdict in markdown.
func mark(v stats.Verdict) string {
	switch v {
	case stats.Regression:
		return "❌"
	case stats.Improvement:
		return "🟢"
	case stats.Undecided:
		return "🟡"
	case stats.New:
		return "🆕"
	case stats.Failed:
		return "💥"
	case stats.Skipped:
		return "⚠️"
	case stats.NotComparable:
		return "≠"
	case gate.Missing:
		return "⛔"
	}
	return ""
}

// verdictWord is a verdict as the report writes it: the verdict's own word,
// except that a skipped point reads "not gated", which says why.
func verdictWord(v stats.Verdict) string {
	if v == stats.Skipped {
		return "not gated"
	}
	return string(v)
}

// joinWords joins words as a sentence does: "a", "a and b", "a, b and c".
func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// valueDigits is how many significant digits the report prints of a
// measured value: 95.44 ms, 8.482 ms, 0.01404 ms, 1531 tok/s.
const valueDigits = 4

// fmtValue prints a value with valueDigits significant digits however small
// (never "0.000" for a value that is not zero), or "-".
func fmtValue(v float64) string { return sigfig.Format(v, valueDigits) }

// fmtPct prints a relative change as a signed percentage, or "-".
func fmtPct(change float64) string {
	if math.IsNaN(change) || math.IsInf(change, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", 100*change)
}

// fmtShare prints a non-negative fraction (a coefficient of variation) as
// a percentage without a sign.
func fmtShare(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// verdictInterval is the interval a cell's verdict rests on: its decision
// interval (the change with the run-to-run noise the gate assumes, whose
// lying within the tolerance makes the cell unchanged) when it has one,
// else its confidence interval (a paired cell's is its decision interval).
func verdictInterval(c *gate.Cell) *stats.Interval {
	if c.Decision != nil {
		return c.Decision
	}
	return c.CI
}

// fmtCI prints an interval of relative changes, or "" when there is none.
func fmtCI(iv *stats.Interval) string {
	if iv == nil {
		return ""
	}
	return fmt.Sprintf("[%s, %s]", fmtPct(iv.Lo), fmtPct(iv.Hi))
}

// fmtP prints a p-value, or "-".
func fmtP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p < 0.0001:
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// serverTitle names a server configuration.
func serverTitle(s sweep.Server) string {
	t := fmt.Sprintf("%s · TP%d DP%d", s.Run, s.TP, s.DP)
	if s.PP > 1 {
		t += fmt.Sprintf(" PP%d", s.PP)
	}
	return t
}

// plural returns "n word" with an s when n != 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// fmtTolerance prints a cell's tolerance, the smallest change that counts
// as a regression (after any widening for noise), and its equivalence
// bound when that is narrower: "21% (±5%)". "-" for a cell not judged.
func fmtTolerance(c *gate.Cell) string {
	if c.Verdict == stats.New || c.Verdict == stats.Skipped || c.Verdict == stats.NotComparable || c.Verdict == "" {
		return "-"
	}
	s := pctWhole(c.Tolerance)
	if c.Bound > 0 && c.Bound < c.Tolerance {
		s += " (±" + pctWhole(c.Bound) + ")"
	}
	return s
}

// fmtDetectable prints a cell's detectable change, "none" when nothing
// could be, "-" when the cell was not judged, and from a tenfold change on
// (cannotSeeTenfold) ">900%" for a latency, ">90%" for a throughput.
func fmtDetectable(c *gate.Cell) string {
	switch d := c.Detectable; {
	case math.IsNaN(d):
		return "-"
	case math.IsInf(d, 1):
		return "none"
	case cannotSeeTenfold(d, c.LowerIsBetter):
		return ">" + pctWhole(tenfold(c.LowerIsBetter))
	default:
		return pctWhole(d)
	}
}

// tenfold is a tenfold change in the bad direction as a relative change:
// +900 % for a latency (ten times slower), 90 % down for a throughput.
func tenfold(lowerIsBetter bool) float64 {
	if lowerIsBetter {
		return 9
	}
	return 0.9
}

// cannotSeeTenfold is true when a detectable change is a tenfold change
// or more: the report says "even a tenfold change" rather than print a
// figure (a cell judged on two noisy rounds can have one of 10^17 %, a
// throughput one above 100 %, a fall below zero).
func cannotSeeTenfold(detectable float64, lowerIsBetter bool) bool {
	return detectable >= tenfold(lowerIsBetter)
}
