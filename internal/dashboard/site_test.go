package dashboard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		{"a chart per point and metric", `<svg class="trend-chart"`, 12},
		{"a marker per run, point, metric", `<circle class="run"`, 14 * 4 * 3},
		{"a linked marker per run, point, metric", `<a href="https://github.com/o/r/commit/`, 14*4*3 + 1},
		{"change points of TPOT and throughput at both concurrencies of TP1", `class="change-point regression"`, 4},
		{"a table row per point and metric", `<tr><td>llama_TP`, 12},
		{"a section per server", `<section class="server"`, 2},
	}
	for _, c := range checks {
		if got := strings.Count(html, c.count); got != c.want {
			t.Errorf("%s: %d of %q, want %d", c.what, got, c.count, c.want)
		}
	}
	for _, want := range []string{
		`<link rel="stylesheet" href="assets/style.css">`,
		"first run after " + slow[:7],
		"https://github.com/o/r/commit/" + slow,
		"<h3>Latest run: <a href=\"https://github.com/o/r/commit/",
		"14 runs, 2026-11-01 to 2026-11-14 on NVIDIA H100 80GB HBM3",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
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

func TestTickLabels(t *testing.T) {
	runs := func(dates ...string) []trend.RunInfo {
		var out []trend.RunInfo
		for _, d := range dates {
			out = append(out, trend.RunInfo{Date: d})
		}
		return out
	}
	nightly := runs("2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z")
	if got := tickLabels(nightly, []int{0, 1}); strings.Join(got, " ") != "2026-11-01 2026-11-02" {
		t.Errorf("nightly: %v", got)
	}
	oneDay := runs("2026-11-29T16:39:08Z", "2026-11-29T16:41:30Z")
	if got := tickLabels(oneDay, []int{0, 1}); strings.Join(got, " ") != "#1 #2" {
		t.Errorf("one day: %v", got)
	}
}

func TestLatestRowChange(t *testing.T) {
	series := func(lowerIsBetter bool, prev, last float64) trend.Series {
		return trend.Series{Metric: "m", LowerIsBetter: lowerIsBetter, Values: []trend.Value{{Run: 0, Value: prev}, {Run: 1, Value: last}}}
	}
	tests := []struct {
		s             trend.Series
		change, class string
	}{
		{series(true, 10, 11), "+10.0 %", "worse"},
		{series(false, 10, 11), "+10.0 %", "better"},
		{series(true, 10, 10), "+0.0 %", ""},
		{series(true, 0, 0), "n/a", ""}, // no relative change from zero, and no colour
		{series(false, 0, 5), "n/a", ""},
	}
	for _, tt := range tests {
		row := latestRowOf(tt.s, 1)
		if row.Change != tt.change || row.ChangeClass != tt.class {
			t.Errorf("%v -> %v (lower is better %v): change %q class %q, want %q %q",
				tt.s.Values[0].Value, tt.s.Values[1].Value, tt.s.LowerIsBetter, row.Change, row.ChangeClass, tt.change, tt.class)
		}
	}
}
