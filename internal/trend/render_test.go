package trend

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func analysis(t *testing.T) (*Analysis, string) {
	t.Helper()
	entries := history(1, 14, 8, 1.10)
	a, err := Analyze(writeHistory(t, "llama", entries), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, entries[8].GitSHA
}

func TestText(t *testing.T) {
	a, sha := analysis(t)
	text := a.Text()
	before := ShortSHA(a.Runs[0].History[7].SHA)
	for _, want := range []string{
		"trend: 2 change points (2 for the worse)",
		"llama: 14 runs, 2026-11-01 to 2026-11-14 on " + h100,
		"median_tpot_ms", "output_throughput", "regression",
		"first changed run: " + sha[:7] + " (bisect " + before + ".." + sha[:7] + ")  2026-11-09",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "median_ttft_ms") {
		t.Errorf("text names TTFT, which did not change:\n%s", text)
	}
}

func TestMarkdown(t *testing.T) {
	a, sha := analysis(t)
	md := a.Markdown("https://github.com/o/r")
	before := a.Runs[0].History[7].SHA
	for _, want := range []string{
		"## Trend: 2 change points (2 for the worse)",
		"| first changed run | bisect |",
		"| llama_TP1_DP1 | CTX512 C8 P100 O128 | median TPOT | +",
		"[`" + sha[:7] + "`](https://github.com/o/r/commit/" + sha + ") 2026-11-09",
		"(https://github.com/o/r/compare/" + before + "..." + sha + ")",
		"```mermaid\n%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"" + RunColour + ", " + LevelColour + "\"}}",
		"\nxychart-beta\n",
		`x-axis "run" [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]`,
		`title "llama_TP1_DP1 CTX512 C8 P100 O128 · median TPOT (ms)"`,
		"<sub>" + ChartKey + " +",
		"(worse) at run 9, first changed run: " + sha[:7] + " (bisect " + before[:7] + ".." + sha[:7] + ").</sub>",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if got := strings.Count(md, "```mermaid"); got != 3 {
		t.Errorf("%d charts, want one per series (3)", got)
	}
	// The series with change points come first: TTFT, which did not
	// change, is drawn last although the report lists it first.
	ttft := strings.Index(md, "· median TTFT (ms)")
	if tpot := strings.Index(md, "· median TPOT (ms)"); ttft < 0 || tpot < 0 || ttft < tpot {
		t.Errorf("the unchanged TTFT chart (at %d) is not after the changed TPOT chart (at %d):\n%s", ttft, tpot, md)
	}
	// Without a repository the commits are plain.
	if md := a.Markdown(""); strings.Contains(md, "](") || !strings.Contains(md, "`"+sha[:7]+"`") {
		t.Errorf("markdown without a repository:\n%s", md)
	}
}

// mermaidChart is what a test reads back from a mermaid xychart: the
// y-axis range and the values of each named line.
type mermaidChart struct {
	lo, hi float64
	lines  map[string][]float64
}

func parseMermaid(t *testing.T, block string) mermaidChart {
	t.Helper()
	c := mermaidChart{lines: map[string][]float64{}}
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "y-axis "):
			f := strings.Fields(line)
			if len(f) != 5 || f[3] != "-->" {
				t.Fatalf("y-axis line %q", line)
			}
			c.lo, c.hi = parseFloat(t, f[2]), parseFloat(t, f[4])
		case strings.HasPrefix(line, "line \""):
			name, vals, _ := strings.Cut(strings.TrimPrefix(line, "line \""), "\" [")
			for _, v := range strings.Split(strings.TrimSuffix(vals, "]"), ", ") {
				c.lines[name] = append(c.lines[name], parseFloat(t, v))
			}
		}
	}
	return c
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// chartPlotPx is the height of the data area of a chartWidthPx x
// chartHeightPx mermaid xychart, below its title and above its x-axis, as
// mermaid 11 draws it at a comment's width: measured in the SVG that
// scripts/render-comment.sh renders, its y-axis spans 206 px and a line
// from the axis' bottom to its top 194 px.
const chartPlotPx = 194

// minStepPx is the least height, in pixels of the rendered chart, that a 6 %
// step of the level must span to read as a change at a glance: a third of
// an inch at 96 dpi, as on the dashboard.
const minStepPx = 32

func TestMarkdownChartShowsASixPercentStep(t *testing.T) {
	entries := history(3, 14, 8, 1.06)
	a, err := Analyze(writeHistory(t, "llama", entries), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var tpot Series
	for _, s := range a.Runs[0].Series {
		if s.Metric == "median_tpot_ms" {
			tpot = s
		}
	}
	if len(tpot.Shifts) != 1 {
		t.Fatalf("TPOT +6 %%: %d change points, want 1", len(tpot.Shifts))
	}
	block := a.Runs[0].chart(tpot)
	c := parseMermaid(t, block)
	level, runs := c.lines["level"], c.lines["runs"]
	if len(level) != 14 || len(runs) != 14 {
		t.Fatalf("lines of %d and %d values, want 14 each:\n%s", len(runs), len(level), block)
	}
	for i, v := range runs {
		if v < c.lo || v > c.hi {
			t.Errorf("run %d's value %g is off the y-axis [%g, %g]", i+1, v, c.lo, c.hi)
		}
	}
	step := (level[13] - level[0]) / (c.hi - c.lo) * chartPlotPx
	t.Logf("a 6 %% step of TPOT spans %.0f of the plot's %d px", step, chartPlotPx)
	if level[0] != level[7] || level[8] != level[13] || step < minStepPx {
		t.Errorf("the level steps by %.0f px (%g -> %g on [%g, %g]), want one step at run 9 of %d px or more:\n%s",
			step, level[0], level[13], c.lo, c.hi, minStepPx, block)
	}
}

func TestChartRange(t *testing.T) {
	tests := []struct {
		vals   []float64
		lo, hi float64
	}{
		{[]float64{100, 120}, 98, 122},       // a margin of a tenth of the span
		{[]float64{100, 106}, 97.85, 108.15}, // widened to 10 % of the middle
		{[]float64{100, 101}, 95.475, 105.525},
		{[]float64{-10, -10}, -10.5, -9.5},     // negative middles too
		{[]float64{}, 0, 1},                    // nothing to span
		{[]float64{0, 0}, -0.5e-9, 0.5e-9},     // a zero series still has a range
		{[]float64{900, 1000, 700}, 670, 1030}, // order does not matter
	}
	for _, tt := range tests {
		var vals []Value
		for i, v := range tt.vals {
			vals = append(vals, Value{Run: i, Value: v})
		}
		lo, hi := ChartRange(vals)
		if math.Abs(lo-tt.lo) > 1e-9*math.Max(1, math.Abs(tt.lo)) || math.Abs(hi-tt.hi) > 1e-9*math.Max(1, math.Abs(tt.hi)) {
			t.Errorf("ChartRange(%v) = [%g, %g], want [%g, %g]", tt.vals, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestJSON(t *testing.T) {
	a, sha := analysis(t)
	data, err := a.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ChangePoints   int `json:"change_points"`
		NewRegressions int `json:"new_regressions"`
		Runs           []struct {
			Series []struct {
				Metric string `json:"metric"`
				Shifts []struct {
					Change     *float64 `json:"change"`
					CILo       *float64 `json:"ci_lo"`
					CIHi       *float64 `json:"ci_hi"`
					FirstAfter struct {
						SHA string `json:"sha"`
					} `json:"first_after"`
				} `json:"shifts"`
			} `json:"series"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if got.ChangePoints != 2 || got.NewRegressions != 0 {
		t.Errorf("counts %d %d", got.ChangePoints, got.NewRegressions)
	}
	shifts := 0
	for _, s := range got.Runs[0].Series {
		for _, sh := range s.Shifts {
			shifts++
			if sh.FirstAfter.SHA != sha || sh.Change == nil || sh.CILo == nil || sh.CIHi == nil || *sh.CILo > *sh.Change || *sh.CIHi < *sh.Change {
				t.Errorf("%s: shift %+v", s.Metric, sh)
			}
		}
	}
	if shifts != 2 {
		t.Errorf("%d shifts in JSON, want 2:\n%s", shifts, data)
	}
}

func TestMarkdownNoHistory(t *testing.T) {
	a := &Analysis{}
	if md := a.Markdown(""); !strings.Contains(md, "No run has a history yet") {
		t.Errorf("markdown:\n%s", md)
	}
}

func TestMarkdownChartLimitKeepsLaterRuns(t *testing.T) {
	// The first run has more metrics than MaxCharts draws; the second
	// run's change point must still be listed, and charted before the
	// unchanged series of the first run.
	history := []RunInfo{{Index: 0, Date: "2026-11-01", SHA: "aaaaaaa1"}, {Index: 1, Date: "2026-11-02", SHA: "bbbbbbb2"}}
	vals := []Value{{Run: 0, Value: 1}, {Run: 1, Value: 2}}
	many := Run{Name: "many", History: history}
	for i := range MaxCharts + 1 {
		many.Series = append(many.Series, Series{Point: "p.json", Server: "many_TP1_DP1", Metric: "metric_" + strconv.Itoa(i), Values: vals})
	}
	later := Run{Name: "later", History: history, Series: []Series{{
		Point: "p.json", Server: "later_TP1_DP1", Label: "CTX8 C1 P1 O1", Metric: "median_tpot_ms", Unit: "ms", LowerIsBetter: true, Values: vals,
		Shifts: []Shift{{At: 1, LastBefore: history[0], FirstAfter: history[1], Before: 1, After: 2, Change: 1, Regression: true}},
	}}}
	md := (&Analysis{Runs: []Run{many, later}, MinSegment: 1, Alpha: 0.01}).Markdown("")
	if got := strings.Count(md, "```mermaid"); got != MaxCharts {
		t.Errorf("%d charts, want the limit %d", got, MaxCharts)
	}
	for _, want := range []string{
		"### later",
		"| later_TP1_DP1 | CTX8 C1 P1 O1 | median TPOT | +100.0 % :red_circle: worse |",
		`title "later_TP1_DP1 CTX8 C1 P1 O1 · median TPOT (ms)"`, // drawn: the only change point
		"_12 charts are drawn here, those with a change point first",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestFilledTakesThePreviousValue(t *testing.T) {
	vals := []Value{{Run: 0, Value: 1}, {Run: 2, Value: 3}, {Run: 4, Value: 5}}
	tests := []struct {
		first, n int
		want     string
	}{
		{0, 5, "1 1 3 3 5"},
		{1, 5, "1 3 3 5"}, // run 1 lacks the point: run 0's value, not run 2's
		{3, 5, "3 5"},
	}
	for _, tt := range tests {
		if got := strings.Join(filled(vals, tt.first, tt.n), " "); got != tt.want {
			t.Errorf("filled(first %d, n %d) = %q, want %q", tt.first, tt.n, got, tt.want)
		}
	}
	// With no value before the window, the first missing runs take the next.
	if got := strings.Join(filled([]Value{{Run: 2, Value: 3}}, 0, 3), " "); got != "3 3 3" {
		t.Errorf("filled at the start = %q, want \"3 3 3\"", got)
	}
}

func TestFormatChange(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0.0312, "+3.1 %"}, {-0.1, "-10.0 %"}, {math.NaN(), "n/a"}, {math.Inf(1), "n/a"},
	} {
		if got := FormatChange(tt.v); got != tt.want {
			t.Errorf("FormatChange(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestMarkdownChartAxisSpansTheRunsShown(t *testing.T) {
	// 70 runs: the first 10 at 100, far below the 60 shown at 200 ± 1.
	var history []RunInfo
	s := Series{Point: "p.json", Server: "s_TP1_DP1", Label: "CTX8 C1 P1 O1", Metric: "median_tpot_ms", Unit: "ms"}
	for i := range MaxChartRuns + 10 {
		history = append(history, RunInfo{Index: i, Date: "2026-11-01", SHA: "abcdef0"})
		v := 200.0 + float64(i%3-1)
		if i < 10 {
			v = 100
		}
		s.Values = append(s.Values, Value{Run: i, Value: v})
	}
	c := parseMermaid(t, Run{Name: "s", History: history}.chart(s))
	if len(c.lines["runs"]) != MaxChartRuns || c.lo < 150 || c.hi > 250 {
		t.Errorf("%d runs on [%g, %g], want the newest %d on an axis around 199-201", len(c.lines["runs"]), c.lo, c.hi, MaxChartRuns)
	}
}
