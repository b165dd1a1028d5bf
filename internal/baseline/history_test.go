package baseline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

func TestHistoryCapAndKeep(t *testing.T) {
	res := resultsDir(t, h100)
	base := t.TempDir()
	path := filepath.Join(base, "llama", HistoryFile)
	// Ten updates with a cap of 4; the second update's line is marked.
	var keepCalls int
	keep := func(entries []HistoryEntry) []bool {
		keepCalls++
		marks := make([]bool, len(entries))
		for i, e := range entries {
			marks[i] = e.GitSHA == "sha1"
		}
		return marks
	}
	for i := range 10 {
		name, f := result("llama", 1, h100)
		f.VllmBench.Env.GitSHA = fmt.Sprintf("sha%d", i)
		writeJSON(t, filepath.Join(res, name), f)
		if _, err := UpdateWith(res, base, UpdateOptions{HistoryCap: 4, Keep: keep}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, e := range hist {
		shas = append(shas, e.GitSHA)
	}
	if got, want := strings.Join(shas, ","), "sha1,sha7,sha8,sha9"; got != want {
		t.Errorf("history keeps %s, want %s", got, want)
	}
	if keepCalls == 0 {
		t.Error("the keep function was never asked")
	}
}

func TestCompactHistory(t *testing.T) {
	entries := make([]HistoryEntry, 6)
	for i := range entries {
		entries[i].GitSHA = fmt.Sprint(i)
	}
	shas := func(es []HistoryEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.GitSHA)
		}
		return strings.Join(out, "")
	}
	marks := func(idx ...int) KeepFunc {
		return func(es []HistoryEntry) []bool {
			m := make([]bool, len(es))
			for _, i := range idx {
				m[i] = true
			}
			return m
		}
	}
	tests := []struct {
		name  string
		limit int
		keep  KeepFunc
		want  string
	}{
		{"under the cap", 10, nil, "012345"},
		{"oldest dropped", 3, nil, "345"},
		{"marked kept", 3, marks(0, 1), "015"},
		{"more marked than the cap", 2, marks(0, 1, 2), "12"},
		{"default cap", 0, nil, "012345"},
	}
	for _, tt := range tests {
		if got := shas(compactHistory(entries, tt.limit, tt.keep)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCompactHistoryKeepsAcceptedRuns(t *testing.T) {
	entries := make([]HistoryEntry, 6)
	for i := range entries {
		entries[i].GitSHA = fmt.Sprint(i)
	}
	entries[1].AcceptReason = "new default block size" // a human decision stays on record
	var got []string
	for _, e := range compactHistory(entries, 3, nil) {
		got = append(got, e.GitSHA)
	}
	if strings.Join(got, "") != "145" {
		t.Errorf("compaction keeps %v, want the accepted run 1 and the newest two", got)
	}
}

func TestHistoryLineContents(t *testing.T) {
	res := t.TempDir()
	name, f := result("llama", 1, h100)
	f.MedianTPOTMs, f.StdTPOTMs = 8.123456789, 0.5
	f.VllmBench.Env.HarnessVersion = "v1.2.3"
	f.VllmBench.Repeats = []results.Repeat{{OutputThroughput: 100}, {OutputThroughput: 110}, {OutputThroughput: 90}}
	f.Completed = 3 * f.VllmBench.Point.NumPrompts // complete: every prompt of 3 repeats
	writeJSON(t, filepath.Join(res, name), f)
	base := t.TempDir()
	opts := UpdateOptions{Metrics: map[string][]string{"llama": {"median_tpot_ms", "output_throughput"}}}
	if _, err := UpdateWith(res, base, opts); err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %v, %v", hist, err)
	}
	e := hist[0]
	if e.HarnessVersion != "v1.2.3" || e.GitSHA != "abc123" || e.GPUModel != h100 || e.Date == "" {
		t.Errorf("line %+v lacks the run's identity", e)
	}
	if got := e.Points[name]; len(got) != 2 || got["median_tpot_ms"] != 8.12346 {
		t.Errorf("points %v, want the two gated metrics rounded to 6 digits", got)
	}
	if got := e.Spread[name]; got["median_tpot_ms"] != 0.5 || got["output_throughput"] != 10 {
		t.Errorf("spread %v, want std_tpot_ms 0.5 and the repeats' standard deviation 10", got)
	}
}

func TestReadOldHistory(t *testing.T) {
	// A line written before spread, harness_version and the starts existed.
	path := filepath.Join(t.TempDir(), HistoryFile)
	old := `{"date":"2025-01-02T00:00:00Z","git_sha":"abc","gpu_model":"H100","points":{"x.json":{"median_ttft_ms":41,"p99_ttft_ms":50}}}` + "\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(path)
	if err != nil || len(hist) != 1 || hist[0].Points["x.json"]["median_ttft_ms"] != 41 || hist[0].Spread != nil || hist[0].Starts != nil || hist[0].GPUSeconds != nil {
		t.Errorf("old line read as %+v, %v", hist, err)
	}
	// Appending to it keeps the old line as it was.
	data, err := appendedHistory(path, HistoryEntry{Date: "2025-01-03T00:00:00Z", Points: map[string]map[string]float64{}}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	hist, err = ReadHistory(path)
	if err != nil || len(hist) != 2 || hist[0].Points["x.json"]["p99_ttft_ms"] != 50 {
		t.Errorf("after append: %+v, %v", hist, err)
	}
}

func TestPointHistoryGateWindow(t *testing.T) {
	var entries []HistoryEntry
	for i := range GateWindow + 10 {
		entries = append(entries, HistoryEntry{GPUModel: h100, Points: map[string]map[string]float64{"p": {"m": float64(i)}}})
		entries = append(entries, HistoryEntry{GPUModel: "other", Points: map[string]map[string]float64{"p": {"m": -1}}})
	}
	hist, note := pointHistory(entries, "p", h100)
	got := hist["m"]
	if note != "" {
		t.Errorf("note %q for lines of their own sittings", note)
	}
	if len(got) != GateWindow || got[0] != 10 || got[len(got)-1] != GateWindow+9 {
		t.Errorf("gate history %v, want the newest %d of the same GPU", got, GateWindow)
	}
}

func TestPointHistorySittings(t *testing.T) {
	line := func(sitting string, v float64) HistoryEntry {
		return HistoryEntry{GPUModel: h100, Sitting: sitting, Points: map[string]map[string]float64{"p": {"m": v}}}
	}
	for _, tc := range []struct {
		name    string
		entries []HistoryEntry
		values  int
		note    string
	}{
		{"lines of their own", []HistoryEntry{line("", 1), line("", 2), line("", 3)}, 3, ""},
		{"one sitting", []HistoryEntry{line("calibrate A", 1), line("calibrate A", 2), line("calibrate A", 3)}, 0,
			"the 3 history runs were all measured in one sitting (calibrate A)"},
		{"one sitting and a nightly", []HistoryEntry{line("calibrate A", 1), line("calibrate A", 2), line("", 3)}, 3, ""},
		{"two sittings", []HistoryEntry{line("calibrate A", 1), line("calibrate A", 2), line("calibrate B", 3)}, 3, ""},
		{"one line", []HistoryEntry{line("calibrate A", 1)}, 1, ""},
		// A line of another sitting without the point does not count.
		{"another sitting without the point", []HistoryEntry{line("calibrate A", 1), line("calibrate A", 2),
			{GPUModel: h100, Points: map[string]map[string]float64{"q": {"m": 9}}}}, 0, "the 2 history runs were all measured in one sitting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hist, note := pointHistory(tc.entries, "p", h100)
			if len(hist["m"]) != tc.values || !strings.Contains(note, tc.note) || (tc.note == "") != (note == "") {
				t.Errorf("values %v, note %q; want %d values, note with %q", hist["m"], note, tc.values, tc.note)
			}
		})
	}
}

func TestUpdateMarksSitting(t *testing.T) {
	res := resultsDir(t, h100)
	base := t.TempDir()
	for range 2 {
		if _, err := UpdateWith(res, base, UpdateOptions{Sitting: "calibrate 1"}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := ReadHistory(filepath.Join(base, "llama", HistoryFile))
	if err != nil || len(hist) != 2 || hist[0].Sitting != "calibrate 1" || hist[1].Sitting != "calibrate 1" {
		t.Errorf("history %+v, %v; want two lines of sitting calibrate 1", hist, err)
	}
}
