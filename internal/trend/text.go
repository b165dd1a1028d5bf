package trend

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
)

// shortSHA is the length of abbreviated commit hashes in reports.
const shortSHA = 7

// ShortSHA abbreviates a commit hash for reports; an unknown one prints as
// "?".
func ShortSHA(sha string) string {
	switch {
	case sha == "":
		return "?"
	case len(sha) > shortSHA:
		return sha[:shortSHA]
	}
	return sha
}

// Day returns the date part of an RFC 3339 time.
func Day(date string) string {
	if len(date) >= 10 {
		return date[:10]
	}
	return date
}

// FormatChange formats a relative change as a signed percentage.
func FormatChange(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) { // a change from zero has no relative size
		return "n/a"
	}
	return fmt.Sprintf("%+.1f %%", 100*v)
}

// ci formats an interval of relative changes.
func ci(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "n/a"
	}
	return fmt.Sprintf("[%+.1f %%, %+.1f %%]", 100*lo, 100*hi)
}

// FormatValue formats a statistic with three significant digits or more.
func FormatValue(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// Span describes the analysed history of a run in a few words: how many
// runs, from when to when, on which GPU.
func (r Run) Span() string {
	if len(r.History) == 0 {
		return "no runs"
	}
	first, last := r.History[0], r.History[len(r.History)-1]
	s := fmt.Sprintf("%s, %s to %s", plural(len(r.History), "run"), Day(first.Date), Day(last.Date))
	if last.GPU != "" {
		s += " on " + last.GPU
	}
	if r.OtherHardware > 0 {
		s += fmt.Sprintf(" (%s on other hardware left out)", plural(r.OtherHardware, "run"))
	}
	return s
}

// plural returns "1 run" or "3 runs" ("series" stays as it is).
func plural(n int, noun string) string {
	if n == 1 || strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Headline is one line that sums up the analysis.
func (a *Analysis) Headline() string {
	n, reg, fresh := 0, 0, a.NewRegressions()
	for _, r := range a.Runs {
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				n++
				if sh.Regression {
					reg++
				}
			}
		}
	}
	switch {
	case len(a.Runs) == 0:
		return "trend: no history to analyse"
	case n == 0:
		return "trend: no change point"
	}
	line := fmt.Sprintf("trend: %s (%d for the worse", plural(n, "change point"), reg)
	if fresh > 0 {
		line += fmt.Sprintf(", %d revealed by the newest run", fresh)
	}
	return line + ")"
}

// Method describes the detection settings in one sentence.
func (a *Analysis) Method() string {
	return fmt.Sprintf("E-divisive means, permutation test at alpha %g, at least %d runs on each side of a change", a.Alpha, a.MinSegment)
}

// Text renders the analysis for a terminal: per run its history and one
// line per change point with its size, interval, the first changed run and
// the commit range to bisect.
func (a *Analysis) Text() string {
	var b strings.Builder
	b.WriteString(a.Headline() + "\n")
	if len(a.Runs) > 0 {
		b.WriteString(a.Method() + "\n")
	}
	for _, r := range a.Runs {
		fmt.Fprintf(&b, "\n%s: %s\n", r.Name, r.Span())
		for _, d := range r.Decisions() {
			fmt.Fprintf(&b, "  %s\n", d)
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		shifts := 0
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				shifts++
				fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\t%s -> %s %s\t%s\t%s\t%s\tp %.3f%s\n",
					s.Server, s.Label, s.Metric, FormatChange(sh.Change), ci(sh.CI.Lo, sh.CI.Hi),
					FormatValue(sh.Before), FormatValue(sh.After), s.Unit, direction(sh),
					sh.FirstChanged(), Day(sh.FirstAfter.Date), sh.P, newMark(sh))
			}
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(&b, "  (table: %v)\n", err)
		}
		if shifts == 0 {
			fmt.Fprintf(&b, "  no change point in %s\n", plural(len(r.Series), "series"))
		}
	}
	return b.String()
}

// FirstChanged names the first run the change shows in and the commits to
// bisect: "first changed run: 64b3cd6 (bisect 0da07e1..64b3cd6)".
func (sh Shift) FirstChanged() string {
	return fmt.Sprintf("first changed run: %s (bisect %s..%s)", ShortSHA(sh.FirstAfter.SHA), ShortSHA(sh.LastBefore.SHA), ShortSHA(sh.FirstAfter.SHA))
}

// direction names a shift for the worse or the better.
func direction(sh Shift) string {
	if sh.Regression {
		return "regression"
	}
	return "improvement"
}

func newMark(sh Shift) string {
	if sh.New {
		return "  new"
	}
	return ""
}

// Annotations returns one line per change point the newest run revealed
// for the worse, for `::error` annotations of a nightly job.
func (a *Analysis) Annotations() []string {
	var out []string
	for _, r := range a.Runs {
		for _, s := range r.Series {
			for _, sh := range s.Shifts {
				if !sh.New || !sh.Regression {
					continue
				}
				out = append(out, fmt.Sprintf("%s %s %s: change point %s (%s -> %s %s); %s, %s",
					s.Server, s.Label, s.Metric, FormatChange(sh.Change), FormatValue(sh.Before), FormatValue(sh.After), s.Unit,
					sh.FirstChanged(), Day(sh.FirstAfter.Date)))
			}
		}
	}
	return out
}
