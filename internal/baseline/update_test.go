package baseline

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

// tree returns the md5 of every file under dir by its relative path, and
// the directories as "dir/".
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[rel] = fmt.Sprintf("%x", md5.Sum(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// storedBaselines promotes a first results directory and returns the
// baselines directory and a second results directory of the same points
// with other figures, whose update would replace every file.
func storedBaselines(t *testing.T) (base, next string) {
	t.Helper()
	base = filepath.Join(t.TempDir(), "baselines")
	if _, err := Update(resultsDir(t, h100), base); err != nil {
		t.Fatal(err)
	}
	next = t.TempDir()
	for _, c := range []int{1, 2} {
		name, f := result("llama", c, h100)
		f.MedianTTFTMs *= 2
		writeJSON(t, filepath.Join(next, name), f)
	}
	// A point of a run without baselines: its directory would be new.
	name, f := result("qwen", 1, h100)
	writeJSON(t, filepath.Join(next, name), f)
	return base, next
}

func TestUpdateGarbageHistoryChangesNothing(t *testing.T) {
	base, next := storedBaselines(t)
	hist := filepath.Join(base, "llama", HistoryFile)
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hist, append(data, "not json\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, base)
	_, err = Update(next, base)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q:2", hist)) {
		t.Fatalf("err = %v, want the history's file and line", err)
	}
	if after := tree(t, base); !maps.Equal(before, after) {
		t.Errorf("baselines changed by a failed update:\nbefore %v\nafter  %v", before, after)
	}
}

func TestUpdateTargetNotAFileChangesNothing(t *testing.T) {
	base, next := storedBaselines(t)
	name, _ := result("llama", 2, h100)
	target := filepath.Join(base, "llama", name)
	if err := os.Remove(target); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := tree(t, base)
	_, err := Update(next, base)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v", err)
	}
	if after := tree(t, base); !maps.Equal(before, after) {
		t.Errorf("baselines changed by a failed update:\nbefore %v\nafter  %v", before, after)
	}
}

// TestCommitterPutsBack fails each rename in turn: whatever was renamed
// before it is put back, byte for byte, and the new directory removed.
func TestCommitterPutsBack(t *testing.T) {
	base, _ := storedBaselines(t)
	before := tree(t, base)
	writes := []fileWrite{
		{filepath.Join(base, "llama", "a.json"), []byte("new a")},
		{filepath.Join(base, "llama", HistoryFile), []byte("new history\n")},
		{filepath.Join(base, "qwen", "b.json"), []byte("new b")},
		{filepath.Join(base, "qwen", HistoryFile), []byte("new qwen history\n")},
	}
	for _, name := range []string{"llama_TP1_DP1_CTX512_C1_P10_O16.json", "llama_TP1_DP1_CTX512_C2_P10_O16.json"} {
		if _, err := os.Stat(filepath.Join(base, "llama", name)); err != nil {
			t.Fatal(err)
		}
		writes = append(writes, fileWrite{filepath.Join(base, "llama", name), []byte("replaced")})
	}
	for fail := range len(writes) {
		calls := 0
		c := committer{rename: func(o, n string) error {
			calls++
			if calls == fail+1 {
				return errors.New("injected")
			}
			return os.Rename(o, n)
		}}
		err := c.writeAll(base, writes)
		if err == nil || !strings.Contains(err.Error(), "every file was put back") {
			t.Fatalf("rename %d fails: err = %v", fail+1, err)
		}
		if after := tree(t, base); !maps.Equal(before, after) {
			t.Errorf("rename %d fails: baselines changed:\nbefore %v\nafter  %v", fail+1, before, after)
		}
	}
	if err := writeAll(base, writes); err != nil {
		t.Fatal(err)
	}
	for _, w := range writes {
		if got, err := os.ReadFile(w.path); err != nil || string(got) != string(w.data) {
			t.Errorf("%s = %q, %v; want %q", w.path, got, err, w.data)
		}
	}
	if stray, _ := filepath.Glob(filepath.Join(base, ".update-*")); len(stray) > 0 {
		t.Errorf("staging left behind: %v", stray)
	}
}

func TestUpdateRefusesSuspect(t *testing.T) {
	base, next := storedBaselines(t)
	saturated, f1 := result("llama", 1, h100)
	f1.VllmBench.Client = &probe.ClientHealth{SchedLagP50Ms: 0.1, SchedLagP99Ms: 149, LagSamples: 1000}
	f1.VllmBench.Client.Judge(5)
	writeJSON(t, filepath.Join(next, saturated), f1)
	throttled, f2 := result("llama", 2, h100)
	f2.VllmBench.GPUTelemetry = &probe.GPUTelemetry{GPUs: []probe.GPUStats{{Index: 0, Samples: 18, ThermalThrottlePct: 100, ThrottlePct: 100}}}
	writeJSON(t, filepath.Join(next, throttled), f2)
	before := tree(t, base)

	up, err := Update(next, base)
	var se *SuspectError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SuspectError", err)
	}
	if len(se.Points) != 2 || len(up.Suspect) != 2 || len(up.Promoted) != 0 {
		t.Fatalf("suspect %+v, updated %+v", se.Points, up)
	}
	for _, want := range []string{saturated, "scheduling lag p99 149 ms > 1 ms", throttled, "GPU 0 throttled (thermal) 100 % of the point >= 10 %", "--allow-suspect"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if after := tree(t, base); !maps.Equal(before, after) {
		t.Errorf("baselines changed by a refused update")
	}

	up, err = UpdateWith(next, base, UpdateOptions{AllowSuspect: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Promoted) != 3 || len(up.Suspect) != 2 {
		t.Errorf("allowed: updated %+v", up)
	}
	got, err := os.ReadFile(filepath.Join(base, "llama", throttled))
	if err != nil || !strings.Contains(string(got), "thermal_throttle_pct") {
		t.Errorf("the suspect point was not promoted: %v", err)
	}
}

func TestRefusalsCleanPoint(t *testing.T) {
	_, f := result("llama", 1, h100)
	f.VllmBench.Client = &probe.ClientHealth{SchedLagP50Ms: 0.01, SchedLagP99Ms: 0.2, LagSamples: 1000}
	f.VllmBench.GPUTelemetry = &probe.GPUTelemetry{GPUs: []probe.GPUStats{{Index: 0, Samples: 18, PowerThrottlePct: 5, ThrottlePct: 5}}}
	if r := Refusals(f); len(r) != 0 {
		t.Errorf("clean point refused: %q", r)
	}
}
