package dashboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline/baselinetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

func TestWrite(t *testing.T) {
	a, slow := fixture(t)
	site := filepath.Join(t.TempDir(), "site")
	if err := Write(site, a, Options{RepoURL: "https://github.com/o/r/"}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(site, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if css, err := os.ReadFile(filepath.Join(site, StyleFile)); err != nil || !strings.Contains(string(css), "svg.trend-chart") {
		t.Errorf("stylesheet: %v", err)
	}
	checks := []struct {
		what  string
		count string
		want  int
	}{
		// 12 series of the points, 4 of the starts (cold and warm per
		// server) and the GPU-seconds: 14 nights each, but the 2 cold and
		// 12 warm starts of a server.
		{"a chart per point and metric, per server and cache state, and of the GPU-seconds", `<svg class="trend-chart"`, 12 + 4 + 1},
		{"a marker per run and series, and two in the key", `<circle class="run`, 14*(12+2+1) + 2},
		{"a hollow marker per failed night (warm) and series, and one in the key", `<circle class="run gate-failed"`, 2*(12+2+1) + 1},
		{"the accepted night marked in every chart", `<g class="accepted">`, 17},
		{"a linked marker per run and series", `<a href="https://github.com/o/r/commit/`, 14*(12+2+1) + 1},
		{"change points of TPOT and throughput at both concurrencies of TP1", `class="change-point regression"`, 4},
		{"a level line per segment: two in the 4 changed series, one in the 13 others, one in the key", `<line class="level"`, 4*2 + 13 + 1},
		{"a noise band per series the newest night measured and one in the key: no cold start's", `<rect class="band"`, 12 + 2 + 1 + 1},
		{"a table row per point and metric", `<tr><td>CTX512 C`, 12},
		{"a table row per server and cache state", `<tr><td>cold start</td><td>startup (s)</td>`, 2},
		{"a table row of the GPU-seconds", `<tr><td>all servers</td><td>GPU time (GPU·s)</td>`, 1},
		{"a table heading per server, and the run's for its GPU-seconds", `<tr class="server">`, 3},
		{"the server named once in the table", `<th colspan="8" scope="colgroup">llama_TP1_DP1</th>`, 1},
		{"one section of change points", `<section class="changes"`, 1},
		{"a section per server with charts left: TP1's TTFT and all of TP2, and the run's", `<section class="server"`, 3},
		{"no colour on the newest run against its level", `class="num worse"`, 0},
		{"no metric by its key", `median_tpot_ms`, 0},
		{"no start by its key", `startup_seconds`, 0},
	}
	for _, c := range checks {
		if got := strings.Count(html, c.count); got != c.want {
			t.Errorf("%s: %d of %q, want %d", c.what, got, c.count, c.want)
		}
	}
	for _, want := range []string{
		`<link rel="stylesheet" href="assets/style.css">`,
		"--run: " + trend.RunColour + "; --level: " + trend.LevelColour,
		"first changed run: " + slow[:7] + " (bisect ",
		"https://github.com/o/r/commit/" + slow,
		"<h3>Newest run: <a href=\"https://github.com/o/r/commit/",
		"14 runs, 2026-11-01 to 2026-11-14 on NVIDIA H100 80GB HBM3",
		"<td>median TPOT (ms)</td>",
		"<b>spread</b>: the standard deviation within the newest run",
		"<b>noise band</b>: the level ± 2 standard deviations of those runs",
		"commit " + slow[:7] + " · 2026-11-09 03:00 UTC",
		"<li>the gate failed 2 runs, recorded but not promoted: " + slow[:7] + " regression, ",
		"by octocat: larger batches trade TPOT for throughput",
		"the gate&#39;s verdict: regression, recorded but not promoted",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Change points first: every chart of a changed series comes before
	// the first server's section.
	changes, servers := strings.Index(html, `<section class="changes"`), strings.Index(html, `<section class="server"`)
	if changes < 0 || servers < changes || strings.LastIndex(html, `class="change-point`) > servers {
		t.Errorf("the change points' charts (at %d) are not all before the servers' (at %d)", changes, servers)
	}
	// In the table, the server with change points first, its changed rows
	// first.
	tp1, tp2 := strings.Index(html, `scope="colgroup">llama_TP1_DP1<`), strings.Index(html, `scope="colgroup">llama_TP2_DP1<`)
	firstRow := html[strings.Index(html, "<tr><td>"):]
	firstRow = firstRow[:strings.Index(firstRow, "</tr>")]
	if tp1 < 0 || tp2 < tp1 || !strings.Contains(firstRow, "first changed run") {
		t.Errorf("table order: TP1 at %d, TP2 at %d, first row %q", tp1, tp2, firstRow)
	}
	// Offline: nothing on the page loads from elsewhere (links to commits
	// are navigation, not loads).
	for _, bad := range []string{"<script", "src=\"http", "@import", "url(http"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestWriteWithoutRepository(t *testing.T) {
	a, _ := fixture(t)
	site := t.TempDir()
	if err := Write(site, a, Options{}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(site, IndexFile))
	if strings.Contains(string(page), "<a href=\"http") {
		t.Error("commits linked without a repository")
	}
}

func TestWriteErrors(t *testing.T) {
	a, _ := fixture(t)
	if err := Write(t.TempDir(), a, Options{RepoURL: "javascript:alert(1)"}); err == nil || !strings.Contains(err.Error(), "javascript:alert(1)") {
		t.Errorf("unsafe repository URL: err = %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(file, "site"), a, Options{}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("unwritable directory: err = %v", err)
	}
}

func TestWriteEmpty(t *testing.T) {
	site := t.TempDir()
	if err := Write(site, &trend.Analysis{}, Options{}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(site, IndexFile))
	if !strings.Contains(string(page), "No run has a history yet") {
		t.Errorf("empty page:\n%s", page)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{0, 10, "0.0 2.5 5.0 7.5 10.0"},
		{7.9, 9.1, "7.5 8.0 8.5 9.0 9.5"},
		{800, 910, "800 850 900 950"},
		{0.0123, 0.0129, "0.0122 0.0124 0.0126 0.0128 0.0130"},
		{5, 5, "5 5"},
	}
	for _, tt := range tests {
		ticks := niceTicks(tt.lo, tt.hi, 4)
		var parts []string
		for _, v := range ticks {
			parts = append(parts, formatTick(v, ticks))
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("ticks of [%g, %g]: %s, want %s", tt.lo, tt.hi, got, tt.want)
		}
	}
}

func TestLevelText(t *testing.T) {
	history := make([]trend.RunInfo, 6)
	for i := range history {
		history[i] = trend.RunInfo{Index: i, SHA: fmt.Sprintf("%x000000", 10+i)}
	}
	series := func(values ...float64) trend.Series {
		s := trend.Series{Metric: "median_tpot_ms", Unit: "ms", LowerIsBetter: true}
		for i, v := range values {
			s.Values = append(s.Values, trend.Value{Run: i, Value: v})
		}
		return s
	}
	// Runs 0-4 hold 10, 10.2, 9.8, 10, 10: mean 10, sd 0.141, band 9.72 - 10.28.
	steady := []float64{10, 10.2, 9.8, 10, 10}
	tests := []struct {
		what               string
		s                  trend.Series
		level, band, delta string
	}{
		{"within", series(append(steady, 10.1)...), "10.0 (5 runs since a000000)", "9.72 – 10.3", "+1.0 %, within the band"},
		{"above", series(append(steady, 10.5)...), "10.0 (5 runs since a000000)", "9.72 – 10.3", "+5.0 %, above the band"},
		{"below", series(append(steady, 9.5)...), "10.0 (5 runs since a000000)", "9.72 – 10.3", "-5.0 %, below the band"},
		{"one run before", series(10, 11), "10.0 (1 run since a000000)", "n/a (one run)", "+10.0 %"},
		{"the first run", series(10), "n/a (first run of the level)", "", ""},
	}
	for _, tt := range tests {
		l, ok := tt.s.Level(history[:len(tt.s.Values)], len(tt.s.Values)-1)
		if !ok {
			t.Fatalf("%s: no level", tt.what)
		}
		level, band, delta := levelText(l)
		if level != tt.level || band != tt.band || delta != tt.delta {
			t.Errorf("%s: %q, %q, %q; want %q, %q, %q", tt.what, level, band, delta, tt.level, tt.band, tt.delta)
		}
	}
	// A series the newest run did not measure says so, and has no level.
	row := latestRowOf(series(10, 10, 10), history[:4])
	if row.Value != "not measured" || row.Level != "" || row.Shifts != "none" {
		t.Errorf("not measured: %+v", row)
	}
}

func TestWriteShortHistories(t *testing.T) {
	// One and two runs: no band, no change point, nothing to fail on.
	for n := 1; n <= 2; n++ {
		dir := t.TempDir()
		var entries []baseline.HistoryEntry
		for i := range n {
			entries = append(entries, baseline.HistoryEntry{
				Date: fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1), GitSHA: fmt.Sprintf("%d%039x", i+1, 0), GPUModel: "g",
				Points: map[string]map[string]float64{"llama_TP1_DP1_CTX512_C8_P100_O128.json": {"median_tpot_ms": 8 + float64(i)}},
			})
		}
		baselinetest.WriteHistory(t, dir, "llama", entries)
		a, err := trend.Analyze(dir, trend.Options{Metrics: map[string][]string{"llama": {"median_tpot_ms"}}})
		if err != nil {
			t.Fatal(err)
		}
		site := t.TempDir()
		if err := Write(site, a, Options{}); err != nil {
			t.Fatal(err)
		}
		page, _ := os.ReadFile(filepath.Join(site, IndexFile))
		html := string(page)
		want := map[int][]string{
			1: {"n/a (first run of the level)", `>#1</text>`},
			2: {"8.00 (1 run since 1000000)", "n/a (one run)", "12.5 %", ">2026-11-02</text>"},
		}[n]
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("%d runs: page lacks %q", n, w)
			}
		}
		if strings.Contains(html, "<title>noise band") || strings.Contains(html, "NaN") {
			t.Errorf("%d runs: a band or a NaN on the page", n)
		}
	}
}
