package dashboard

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// minStepPx is the least distance, in pixels of the chart at 100 % zoom,
// between the level lines on either side of a 6 % change: a third of an
// inch at 96 dpi, a step nobody can miss.
const minStepPx = 32.0

// levelLine matches a level line of a chart and captures x1, x2 and y1.
var levelLine = regexp.MustCompile(`<line class="level" x1="([0-9.]+)" x2="([0-9.]+)" y1="([0-9.]+)" y2="[0-9.]+">`)

// sixPercent analyses a history of 14 nights whose TPOT has 1 % noise and
// is 6 % slower from night 9 on, and returns its TPOT series.
func sixPercent(t *testing.T) (trend.Series, []trend.RunInfo) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	const point = "llama_TP1_DP1_CTX512_C8_P100_O128.json"
	var entries []baseline.HistoryEntry
	for i := range 14 {
		f := 1.0
		if i >= 8 {
			f = 1.06
		}
		entries = append(entries, baseline.HistoryEntry{
			Date:     fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1),
			GitSHA:   fmt.Sprintf("%07x%033x", 0x6000000+i, i),
			GPUModel: "NVIDIA H100 80GB HBM3",
			Points:   map[string]map[string]float64{point: {"median_tpot_ms": 8 * f * (1 + 0.01*rng.NormFloat64())}},
		})
	}
	dir := t.TempDir()
	baselinetest.WriteHistory(t, dir, "llama", entries)
	a, err := trend.Analyze(dir, trend.Options{Metrics: map[string][]string{"llama": {"median_tpot_ms"}}})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Runs[0].Series[0]
	if len(s.Shifts) != 1 || s.Shifts[0].At != 8 {
		t.Fatalf("TPOT 6 %% slower from night 9: shifts %+v, want one at night 9", s.Shifts)
	}
	return s, a.Runs[0].History
}

func TestChartSixPercentStepIsApart(t *testing.T) {
	s, history := sixPercent(t)
	svg := chart{title: "six", history: history, series: s}.svg("")
	lines := levelLine.FindAllStringSubmatch(svg, -1)
	if len(lines) != 2 {
		t.Fatalf("%d level lines, want 2 (before and after the change):\n%s", len(lines), svg)
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before, after := num(lines[0][3]), num(lines[1][3])
	// SVG y grows downwards: TPOT went up, so its level line went up.
	t.Logf("the levels of a 6 %% change are %.1f px apart (plot %g px high)", before-after, chartH-padTop-padBottom)
	if step := before - after; step < minStepPx {
		t.Errorf("the levels before (y %.1f) and after (y %.1f) a 6 %% change are %.1f px apart, want %g or more", before, after, step, minStepPx)
	}
	for _, y := range []float64{before, after} {
		if y < padTop || y > chartH-padBottom {
			t.Errorf("a level line at y %.1f is outside the plot [%g, %g]", y, padTop, chartH-padBottom)
		}
	}
	// The change point lies between the two level lines' runs.
	if end, start := num(lines[0][2]), num(lines[1][1]); !(end < start) {
		t.Errorf("the level lines overlap in x: the first ends at %.1f, the second starts at %.1f", end, start)
	}
	if c := s.Shifts[0].Change; c < 0.04 || c > 0.08 || !strings.Contains(svg, ">"+trend.FormatChange(c)+" worse</text>") {
		t.Errorf("the change point is not labelled with its size and direction:\n%s", svg)
	}
}

func TestTimeAxis(t *testing.T) {
	runs := func(dates ...string) []trend.RunInfo {
		var out []trend.RunInfo
		for i, d := range dates {
			out = append(out, trend.RunInfo{Index: i, Date: d})
		}
		return out
	}
	labels := func(a timeAxis) string {
		var out []string
		for _, tk := range a.ticks {
			out = append(out, tk.label)
		}
		return strings.Join(out, " ")
	}

	// Nightly, with a missed night: placed by date, so the gap shows.
	nightly := newTimeAxis(runs("2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", "2026-11-04T03:00:00Z"), 0, 300)
	if got := nightly.pos; math.Abs(got[0]) > 1e-9 || math.Abs(got[1]-100) > 1e-9 || math.Abs(got[2]-300) > 1e-9 {
		t.Errorf("nightly positions %v, want 0 100 300", got)
	}
	if got := labels(nightly); got != "2026-11-02 2026-11-03 2026-11-04" {
		t.Errorf("nightly ticks %q", got)
	}
	if !strings.HasPrefix(nightly.title, "date of the run (UTC)") {
		t.Errorf("nightly title %q", nightly.title)
	}

	// Two weeks: at most maxTimeTicks dates, on midnights.
	var fortnight []string
	for i := range 14 {
		fortnight = append(fortnight, fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1))
	}
	a := newTimeAxis(runs(fortnight...), 0, 520)
	if n := len(a.ticks); n < 2 || n > maxTimeTicks {
		t.Errorf("%d ticks over two weeks, want 2 to %d: %q", n, maxTimeTicks, labels(a))
	}
	for _, tk := range a.ticks {
		if !regexp.MustCompile(`^2026-11-\d\d$`).MatchString(tk.label) || tk.x < 0 || tk.x > 520 {
			t.Errorf("tick %+v", tk)
		}
	}

	// Runs minutes apart on one day: times, the day in the title.
	oneDay := newTimeAxis(runs("2026-11-29T16:39:08Z", "2026-11-29T16:41:30Z", "2026-11-29T16:50:00Z"), 0, 300)
	if got := labels(oneDay); got != "16:40 16:45 16:50" || !strings.Contains(oneDay.title, "on 2026-11-29") {
		t.Errorf("one day: ticks %q, title %q", got, oneDay.title)
	}
	// Across midnight, within a day: dates and times.
	if got := labels(newTimeAxis(runs("2026-11-29T22:10:00Z", "2026-11-30T01:50:00Z"), 0, 300)); got != "11-29 23:00 11-30 00:00 11-30 01:00" {
		t.Errorf("across midnight: ticks %q", got)
	}
	// A day and a bit: dates, at the ends when no midnight but one falls
	// between.
	if got := labels(newTimeAxis(runs("2026-11-01T03:00:00Z", "2026-11-02T08:00:00Z"), 0, 300)); got != "2026-11-01 2026-11-02" {
		t.Errorf("a day apart: ticks %q", got)
	}
	// Seconds apart: seconds in the labels.
	if got := labels(newTimeAxis(runs("2026-12-07T00:28:21Z", "2026-12-07T00:28:59Z"), 0, 300)); got != "00:28:30 00:28:40 00:28:50" {
		t.Errorf("seconds: ticks %q", got)
	}

	// Dates that do not parse, or one instant: by run number.
	for _, h := range [][]trend.RunInfo{
		runs("yesterday", "today"),
		runs("2026-11-29T16:39:08Z", "2026-11-29T16:39:08Z"),
	} {
		a := newTimeAxis(h, 0, 300)
		if got := labels(a); got != "#1 #2" || a.pos[0] != 0 || a.pos[1] != 300 {
			t.Errorf("%v: ticks %q at %v", h, got, a.pos)
		}
	}
	if a := newTimeAxis(runs("2026-11-29T16:39:08Z"), 0, 300); labels(a) != "#1" || a.pos[0] != 150 {
		t.Errorf("one run: ticks %q at %v", labels(a), a.pos)
	}
}
