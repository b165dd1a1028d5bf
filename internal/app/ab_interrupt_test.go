package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SIGINT during `ab`, after its first round: exit 3, and the report on
// stdout gives no verdict (no ✅ anywhere) instead of judging what was
// measured.
func TestABInterruptGivesNoVerdict(t *testing.T) {
	dir := t.TempDir()
	cfg := abConfig(t, dir, simFast, simFast)
	out := filepath.Join(dir, "ab")
	c := startChild(t, "ab", "-c", cfg, "--out", out, "--rounds", "4")
	// Round 1 is complete once the candidate has measured every point.
	c.waitUntil(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(out, "candidate", "*_round1.json"))
		return len(files) == 4
	}, 50*time.Millisecond, 3*time.Minute, "a complete first round")
	if code := c.interrupt(t, 60*time.Second); code != ExitInfra {
		t.Errorf("interrupted ab: exit %d, want %d\n%s", code, ExitInfra, &c.stderr)
	}
	if s := c.stdout.String(); strings.Contains(s, "✅") || !strings.HasPrefix(s, "⛔ interrupted: no verdict") {
		t.Errorf("stdout of an interrupted ab, want no verdict and no ✅:\n%s", s)
	}
}
