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
	for _, want := range []string{
		"trend: 2 change points (2 for the worse)",
		"llama: 14 runs, 2026-11-01 to 2026-11-14 on " + h100,
		"median_tpot_ms", "output_throughput", "regression",
		"first run after " + sha[:7] + " (2026-11-09)",
		"bisect " + ShortSHA(a.Runs[0].History[7].SHA) + ".." + sha[:7],
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
		"| llama_TP1_DP1 | CTX512 C8 P100 O128 | median_tpot_ms | :red_circle: +",
		"[`" + sha[:7] + "`](https://github.com/o/r/commit/" + sha + ") 2026-11-09",
		"(https://github.com/o/r/compare/" + before + "..." + sha + ")",
		"```mermaid\nxychart-beta\n",
		`x-axis "run" [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]`,
		"title \"llama · median_tpot_ms (ms) · change +",
		"at run 9\"",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if got := strings.Count(md, "```mermaid"); got != 3 {
		t.Errorf("%d charts, want one per gated metric (3)", got)
	}
	// Without a repository the commits are plain.
	if md := a.Markdown(""); strings.Contains(md, "](") || !strings.Contains(md, "`"+sha[:7]+"`") {
		t.Errorf("markdown without a repository:\n%s", md)
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
	// run's change point must still be listed after the charts stop.
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
	for _, want := range []string{"### later", "| later_TP1_DP1 | CTX8 C1 P1 O1 | median_tpot_ms | :red_circle: +100.0 %", "_More charts are on the dashboard"} {
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
