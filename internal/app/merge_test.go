package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// writeSummaryCopy writes dir's summary.json into a new directory with
// edit applied, and returns that directory.
func writeSummaryCopy(t *testing.T, dir, name string, edit func(*results.Summary)) string {
	t.Helper()
	s := readSummaryT(t, dir)
	edit(s)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(dir), name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "summary.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunShardsAndMerge(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	layouts := "[{tp: 1, dp: 1}, {tp: 2, dp: 1}, {tp: 4, dp: 1}]"
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "shard", port: port, out: filepath.Join(dir, "unused"), pairs: layouts, conc: "[2, 4]"})
	want := baseNames(plannedFiles(t, "-c", cfg))
	if len(want) != 6 {
		t.Fatalf("plan lists %v, want 6 files", want)
	}

	shard1, shard2 := filepath.Join(dir, "shard1"), filepath.Join(dir, "shard2")
	for _, sh := range []struct{ shard, out string }{{"1/2", shard1}, {"2/2", shard2}} {
		if code, _, stderr := cli(t, nil, "run", "-c", cfg, "--shard", sh.shard, "--out", sh.out); code != ExitOK {
			t.Fatalf("run --shard %s: exit %d\n%s", sh.shard, code, stderr)
		}
	}
	got1, got2 := resultNames(t, shard1), resultNames(t, shard2)
	if len(got1) == 0 || len(got2) == 0 {
		t.Errorf("a shard ran nothing: %v, %v", got1, got2)
	}
	union := append(append([]string{}, got1...), got2...)
	sort.Strings(union)
	if !slices.Equal(union, want) {
		t.Errorf("shards wrote %v and %v, want together exactly %v", got1, got2, want)
	}
	// A file of an earlier sweep left in shard 2's directory, under the
	// name of a point shard 1 measured, must not travel.
	if err := os.WriteFile(filepath.Join(shard2, got1[0]), []byte(`{"stale": true}`), 0o644); err != nil {
		t.Fatal(err)
	}

	merged := filepath.Join(dir, "merged")
	code, _, stderr := cli(t, nil, "merge", "--out", merged, shard1, shard2)
	if code != ExitOK {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	if got := resultNames(t, merged); !slices.Equal(got, want) {
		t.Errorf("merged %v, want %v", got, want)
	}
	for _, name := range want {
		checkComplete(t, filepath.Join(merged, name), "shard")
	}
	sum := readSummaryT(t, merged)
	if len(sum.Points) != len(want) {
		t.Errorf("merged summary lists %d points, want %d", len(sum.Points), len(want))
	}
	for file, status := range statusByFile(sum) {
		if status != "ok" {
			t.Errorf("merged summary: %s is %s", file, status)
		}
	}
	if logs, _ := filepath.Glob(filepath.Join(merged, "logs", "*.log")); len(logs) != 3 {
		t.Errorf("merged logs %v, want 3", logs)
	}

	// A shard given twice, and one file in two directories.
	again := writeSummaryCopy(t, shard1, "again", func(*results.Summary) {})
	unsharded := writeSummaryCopy(t, shard1, "unsharded", func(s *results.Summary) { s.Shard = "" })
	// A shard of another config (a different num_prompts).
	other := writeRunConfig(t, dir, "other.yaml", simRun{name: "shard", port: port, out: filepath.Join(dir, "unused"), pairs: layouts, conc: "[2, 4]", nump: "[6]"})
	otherShard := filepath.Join(dir, "other2")
	if code, _, stderr := cli(t, nil, "run", "-c", other, "--shard", "2/2", "--out", otherShard); code != ExitOK {
		t.Fatalf("run other config: exit %d\n%s", code, stderr)
	}
	tests := []struct {
		name string
		dirs []string
		code int
		want []string
	}{
		{"same shard twice", []string{shard1, again}, ExitInvalid, []string{shard1, again}},
		{"same directory twice", []string{shard2, shard2}, ExitInvalid, []string{shard2}},
		{"duplicate file", []string{shard1, unsharded}, ExitInvalid, []string{shard1, unsharded}},
		{"another config", []string{shard1, otherShard}, ExitInvalid, []string{"another config", otherShard}},
		{"missing shard", []string{shard1}, ExitInfra, []string{"shard 2/2"}},
		{"not a result directory", []string{shard1, filepath.Join(dir, "absent")}, ExitInvalid, []string{"absent"}},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, nil, append([]string{"merge", "--out", filepath.Join(t.TempDir(), "m")}, tt.dirs...)...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, code, tt.code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.name, w, stderr)
			}
		}
	}
	checkNoSim(t, port)
}
