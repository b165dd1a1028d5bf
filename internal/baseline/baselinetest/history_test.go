package baselinetest

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
)

func TestWriteHistoryReadsBack(t *testing.T) {
	dir := t.TempDir()
	entries := []baseline.HistoryEntry{
		{Date: "2026-11-01T03:00:00Z", GitSHA: "a", Points: map[string]map[string]float64{"p.json": {"median_tpot_ms": 8}}},
		{Date: "2026-11-02T03:00:00Z", GitSHA: "b", Points: map[string]map[string]float64{"p.json": {"median_tpot_ms": 9}}},
	}
	path := WriteHistory(t, dir, "llama", entries)
	if want := filepath.Join(dir, "llama", baseline.HistoryFile); path != want {
		t.Errorf("path %q, want %q", path, want)
	}
	got, err := baseline.ReadHistory(path)
	if err != nil || !reflect.DeepEqual(got, entries) {
		t.Errorf("read back %+v, %v; want %+v", got, err, entries)
	}
}
