package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestScriptsAreTheRepositorys(t *testing.T) {
	for _, name := range []string{"render-comment.sh", filepath.Join("browser", "setup.sh"), filepath.Join("browser", "check.mjs")} {
		if _, err := os.Stat(filepath.Join(Scripts(t), name)); err != nil {
			t.Errorf("scripts/%s: %v", name, err)
		}
	}
}

func TestRunExpectingReturnsBothStreams(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	stdout, stderr := RunExpecting(t, exec.Command("bash", "-c", "echo out; echo err >&2; exit 1"), 1, "it says so")
	if stdout != "out\n" || stderr != "err\n" {
		t.Errorf("stdout %q stderr %q, want \"out\\n\" and \"err\\n\"", stdout, stderr)
	}
	stdout, _ = RunExpecting(t, exec.Command("bash", "-c", "echo fine"), 0, "it succeeds")
	if stdout != "fine\n" {
		t.Errorf("stdout %q, want \"fine\\n\"", stdout)
	}
}
