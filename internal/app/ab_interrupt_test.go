package app

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
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
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary runs as vllm-bench (asCLI is in its environment).
	cmd := exec.Command(exe, "ab", "-c", cfg, "--out", out, "--rounds", "4")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	// Round 1 is complete once the candidate has measured every point.
	deadline := time.After(3 * time.Minute)
	for {
		files, _ := filepath.Glob(filepath.Join(out, "candidate", "*_round1.json"))
		if len(files) == 4 {
			break
		}
		select {
		case <-done:
			t.Fatalf("ab ended before its first round: %v\n%s", waitErr, &stderr)
		case <-deadline:
			t.Fatalf("no complete first round after 3 minutes\n%s", &stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("ab did not stop within 60s of SIGINT\n%s", &stderr)
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) || ee.ExitCode() != ExitInfra {
		t.Errorf("interrupted ab: %v, want exit %d\n%s", waitErr, ExitInfra, &stderr)
	}
	if s := stdout.String(); strings.Contains(s, "✅") || !strings.HasPrefix(s, "⛔ interrupted: no verdict") {
		t.Errorf("stdout of an interrupted ab, want no verdict and no ✅:\n%s", s)
	}
}
