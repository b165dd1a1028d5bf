package baselinetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
)

// WriteHistory writes entries, one JSON line each and oldest first, as the
// history of run under the baselines directory baselinesDir (creating the
// folders) and returns the history file's path.
func WriteHistory(t testing.TB, baselinesDir, run string, entries []baseline.HistoryEntry) string {
	t.Helper()
	var b strings.Builder
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(baselinesDir, run, baseline.HistoryFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
