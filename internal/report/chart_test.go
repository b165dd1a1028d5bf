package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// handReport builds a report without statistics: one server at C8..C128,
// TTFT regressed at C32, TPOT improved at C64, C16 failed and C128 new.
func handReport() *Report {
	srv := sweep.Server{Run: "llama-7b", TP: 1, DP: 1, PP: 1}
	cell := func(metric, unit string, base, cur float64, v stats.Verdict) *gate.Cell {
		return &gate.Cell{Metric: metric, Unit: unit, LowerIsBetter: true, Base: base, Cur: cur, Change: cur/base - 1,
			Test: gate.TestMannWhitney, P: 0.5, PAdj: 0.5, Verdict: v}
	}
	row := func(conc int, v stats.Verdict, note string, cells ...*gate.Cell) *gate.Row {
		p := sweep.Point{ContextSize: 512, Concurrency: conc, NumPrompts: 200, OutputLen: 128}
		return &gate.Row{Name: sweep.ResultName(srv, p), Point: p, Verdict: v, Note: note, Cells: cells,
			BaseThroughput: math.NaN(), CurThroughput: math.NaN()}
	}
	u := stats.Unchanged
	g := &gate.Group{Server: srv, Rows: []*gate.Row{
		row(8, u, "", cell("median_ttft_ms", "ms", 70, 70.5, u), cell("median_tpot_ms", "ms", 8.5, 8.5, u)),
		row(16, stats.Failed, "3 of 200 requests failed"),
		row(32, stats.Regression, "", cell("median_ttft_ms", "ms", 80, 100, stats.Regression), cell("median_tpot_ms", "ms", 10, 10, u)),
		row(64, stats.Improvement, "", cell("median_ttft_ms", "ms", 96, 97, u), cell("median_tpot_ms", "ms", 12, 10.2, stats.Improvement)),
		row(128, stats.New, "", cell("median_ttft_ms", "ms", math.NaN(), 130, stats.New), cell("median_tpot_ms", "ms", math.NaN(), 14, stats.New)),
	}}
	return New(&gate.Report{Groups: []*gate.Group{g}, Tests: 6, Gates: map[string]gate.Settings{
		"llama-7b": {Metrics: []string{"median_ttft_ms", "median_tpot_ms"}, Tolerance: 0.05, Alpha: 0.05},
	}})
}

func TestChartsOfWhatChanged(t *testing.T) {
	r := handReport()
	charts := r.charts(r.labeler())
	if len(charts) != 2 {
		t.Fatalf("%d charts, want 2 (TTFT, then TPOT)", len(charts))
	}
	ttft, tpot := charts[0], charts[1]
	if !strings.HasPrefix(ttft.title, "median TTFT") || !strings.HasPrefix(tpot.title, "median TPOT") {
		t.Errorf("titles %q, %q: want the regressed metric first", ttft.title, tpot.title)
	}
	if got := strings.Join(ttft.xs, " "); got != "8 32 64" {
		t.Errorf("drawn concurrencies %q, want 8 32 64 (C16 failed, C128 has no baseline)", got)
	}
	wantGaps := []string{
		"C16 failed, not drawn: the lines run straight from C8 to C32 across the gap",
		"C128 no baseline, not drawn (the lines end at C64)",
	}
	if strings.Join(ttft.gaps, "|") != strings.Join(wantGaps, "|") {
		t.Errorf("gaps %q, want %q", ttft.gaps, wantGaps)
	}
	md := ttft.mermaid()
	for _, want := range []string{
		`"plotColorPalette": "` + trend.RunColour + `, ` + trend.LevelColour + `, ` + trend.LevelColour + `, ` + trend.LevelColour + `"`,
		`"showLegend": true`,
		`x-axis "concurrency" [8, 32, 64]`,
		`y-axis "change %" -7 --> 27`,
		`line "this run" [0.71, 25.00, 1.04]`,
		`line "no change" [0, 0, 0]`,
		`line "+5% tolerance" [5, 5, 5]`,
		`line "-5% tolerance" [-5, -5, -5]`,
		"Blue line: this run's change from the baseline at each point; orange lines: no change (0%) and the tolerance (±5%), above which a change is worse. C32 +25.0% ❌.",
		"⚠️ **C16 failed, not drawn",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("chart lacks %q:\n%s", want, md)
		}
	}
	throughput := ttft
	throughput.lowerIsBetter = false
	if !ttft.lowerIsBetter || !strings.Contains(throughput.mermaid(), "below which a change is worse") {
		t.Errorf("a chart of a throughput does not say below the band is worse:\n%s", throughput.mermaid())
	}
}

func TestHeadlines(t *testing.T) {
	r := handReport()
	l := r.labeler()
	if got, want := r.headline(l), "❌ 1 regression in 1 point: llama-7b TP1 · C32 · median TTFT +25.0%; 1 point failed"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	// Without the failed point and the regression, the improvement leads.
	g := r.Groups[0]
	g.Rows = append(g.Rows[:1], g.Rows[3:]...)
	if got, want := r.headline(l), "✅ 1 improvement in 1 point: llama-7b TP1 · C64 · median TPOT -15.0%; the other 3 cells unchanged"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	// Two regressions: the larger is named, the other counted.
	g.Rows[0].Verdict, g.Rows[0].Cells[0].Verdict, g.Rows[0].Cells[0].Change = stats.Regression, stats.Regression, 0.08
	g.Rows[1].Verdict, g.Rows[1].Cells[1].Verdict, g.Rows[1].Cells[1].Change = stats.Regression, stats.Regression, 0.3
	if got, want := r.headline(l), "❌ 2 regressions in 2 points: llama-7b TP1 · C64 · median TPOT +30.0% and 1 more point"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	if got, want := New(&gate.Report{}).headline(l), "⚠️ No points to compare"; got != want {
		t.Errorf("empty report: headline %q, want %q", got, want)
	}
}

func TestTablesLeaveOutWhatIsEmpty(t *testing.T) {
	r := handReport()
	md := r.Markdown()
	for _, want := range []string{
		"### llama-7b TP1 · CTX512 P200 O128",
		"| point ", "| ❌ C32 ", "- 💥 C16 failed (3 of 200 requests failed)",
		"- 🆕 C128 new (no baseline to compare with)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| C8 ") && strings.Index(md, "| C8 ") < strings.Index(md, "<details>") {
		t.Error("an unchanged point is in the main table")
	}
	// All unchanged: no charts, no tables, no legend; only the details.
	for _, row := range r.Groups[0].Rows {
		row.Verdict = stats.Unchanged
		for _, c := range row.Cells {
			c.Verdict = stats.Unchanged
		}
	}
	md = r.Markdown()
	for _, absent := range []string{"### ", "```mermaid", "<sub>"} {
		if strings.Contains(md, absent) {
			t.Errorf("all unchanged, yet the comment has %q:\n%s", absent, md)
		}
	}
}

// contrast is the WCAG contrast ratio of two "#rrggbb" colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	lum := func(hex string) float64 {
		var rgb [3]float64
		for i := range rgb {
			var v int
			if _, err := fmt.Sscanf(hex[1+2*i:3+2*i], "%02x", &v); err != nil {
				t.Fatalf("colour %q: %v", hex, err)
			}
			c := float64(v) / 255
			if c <= 0.03928 {
				rgb[i] = c / 12.92
			} else {
				rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// Both lines must read on GitHub's light page, its dark page and mermaid's
// dark chart background (the WCAG minimum for graphics is 3:1).
func TestChartColoursReadOnBothThemes(t *testing.T) {
	for _, line := range []string{trend.RunColour, trend.LevelColour} {
		for _, bg := range []string{"#ffffff", "#0d1117", "#333333"} {
			if c := contrast(t, line, bg); c < 3 {
				t.Errorf("line %s on %s: contrast %.2f, want 3 or more", line, bg, c)
			}
		}
	}
}

func TestYRange(t *testing.T) {
	tests := []struct {
		changes      []float64
		tolerancePct float64
		lo, hi       float64
	}{
		{[]float64{0.4, 6}, 5, -10, 10},    // 11 ticks; [-6, 7] would draw 14
		{[]float64{0.7, 25, 1}, 5, -7, 27}, // 7 ticks, every 5
		{[]float64{-40, -2}, 5, -43, 8},    // 10 ticks, every 5
		{[]float64{0, 0}, 0, -1.1, 1.1},    // no band, no change
	}
	for _, tt := range tests {
		lo, hi := chart{changesPct: tt.changes, tolerancePct: tt.tolerancePct}.yRange()
		if lo != tt.lo || hi != tt.hi {
			t.Errorf("yRange(%v, ±%v%%) = [%v, %v], want [%v, %v]", tt.changes, tt.tolerancePct, lo, hi, tt.lo, tt.hi)
		}
		if n := ticks(lo, hi); n > maxTicks {
			t.Errorf("yRange(%v): %d ticks, more than %d", tt.changes, n, maxTicks)
		}
	}
	for _, tt := range []struct {
		lo, hi float64
		want   int
	}{{-10, 10, 11}, {-6, 7, 14}, {-7, 27, 7}, {0, 110, 12}, {0, 15, 8}} {
		if got := ticks(tt.lo, tt.hi); got != tt.want {
			t.Errorf("ticks(%v, %v) = %d, want %d", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// smallChange is a chart of a +6 % change at C32 against a tolerance of
// ±5 %: a change a reviewer must be able to tell from zero.
func smallChange() chart {
	return chart{title: "median TTFT · llama-7b TP1", axis: "concurrency", lowerIsBetter: true, tolerancePct: 5,
		xs: []string{"8", "16", "32", "64"}, changesPct: []float64{0.4, -0.3, 6, 0.2}, changes: []string{"C32 +6.0% ❌"}}
}

// minPlotShare is the least share of chartHeightPx that mermaid's plot
// area takes below the title, legend and x-axis (the browser test measures
// about 0.6 at 280 px).
const minPlotShare = 0.5

// minApartPx is how far apart, at the least, a +6 % change and zero are
// drawn.
const minApartPx = 20

// TestSmallChangeStandsApart computes, from the y-axis range and the
// chart's height, how many pixels separate a +6 % change from the zero
// line: at least minApartPx.
func TestSmallChangeStandsApart(t *testing.T) {
	ch := smallChange()
	lo, hi := ch.yRange()
	plotPx := minPlotShare * chartHeightPx
	y := func(v float64) float64 { return (hi - v) / (hi - lo) * plotPx }
	if apart := y(0) - y(6); apart < minApartPx {
		t.Errorf("+6%% and zero are %.1f px apart on [%v, %v] in %v px of plot, want %d or more", apart, lo, hi, plotPx, minApartPx)
	}
	if !strings.Contains(ch.mermaid(), fmt.Sprintf(`y-axis "change %%" %v --> %v`, lo, hi)) {
		t.Errorf("the chart does not draw the range it was measured on:\n%s", ch.mermaid())
	}
}
