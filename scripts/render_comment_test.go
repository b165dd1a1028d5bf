package scripts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRenderCommentEmojiWarning runs render-comment.sh up to its setup step
// (node is kept off PATH, so it stops there with status 2) under a fake
// fc-list, and checks that the missing-emoji-font warning appears exactly
// when no emoji font is listed, also when the list is long and names the
// emoji font first.
func TestRenderCommentEmojiWarning(t *testing.T) {
	tools := []string{"bash", "dirname", "grep", "mktemp", "mkdir"}
	for _, tool := range tools {
		if !onPath(tool) {
			t.Skipf("%s is not installed", tool)
		}
	}
	const warning = "no colour emoji font installed"
	for _, c := range []struct {
		first string
		warn  bool
	}{
		{"Noto Color Emoji", false},
		{"Noto Sans", true},
	} {
		bin := t.TempDir()
		for _, tool := range tools {
			path, _ := exec.LookPath(tool)
			if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
		// Far more than a pipe holds, so a reader that stops early leaves
		// fc-list writing into a closed pipe.
		fcList := fmt.Sprintf("#!/bin/bash\necho '/usr/share/fonts/first.ttf: %s:style=Regular'\n"+
			"for ((i = 0; i < 20000; i++)); do printf '/usr/share/fonts/DejaVuSans%%05d.ttf: DejaVu Sans:style=Book\\n' \"$i\"; done\n", c.first)
		if err := os.WriteFile(filepath.Join(bin, "fc-list"), []byte(fcList), 0o755); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		md := filepath.Join(dir, "comment.md")
		if err := os.WriteFile(md, []byte("# comment\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "bash"), "render-comment.sh", "--out", filepath.Join(dir, "out"), md)
		cmd.Env = append(scriptEnv(map[string]string{"PATH": bin}), "TMPDIR="+dir)
		out, err := cmd.CombinedOutput()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "node not found") {
			t.Fatalf("fonts %q: want exit status 2 at setup (no node), got %v\n%s", c.first, err, out)
		}
		if got := strings.Contains(string(out), warning); got != c.warn {
			t.Errorf("fonts %q first: warning shown %v, want %v\n%s", c.first, got, c.warn, out)
		}
	}
}
