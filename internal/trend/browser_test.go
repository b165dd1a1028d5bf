package trend

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/browsertest"
)

// TestMarkdownRendersInBrowser renders the trend report's markdown as
// GitHub shows it, in its light and dark themes (scripts/render-comment.sh
// in headless Chromium), and fails on a mermaid chart that does not parse,
// a console error or a request off the file system. A report with a broken
// chart is rendered beside it and must fail, so a check that passes
// everything cannot go unnoticed.
func TestMarkdownRendersInBrowser(t *testing.T) {
	browsertest.Require(t, "the trend markdown")
	renderComment := filepath.Join(browsertest.Scripts(t), "render-comment.sh")
	browsertest.TrackInputs(t, renderComment)

	a, _ := analysis(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "trend.md")
	broken := filepath.Join(dir, "broken.md")
	md := a.Markdown("https://github.com/o/r")
	if err := os.WriteFile(good, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same report with its first chart's closing bracket dropped.
	i := strings.Index(md, `    line "runs" [`)
	j := i + strings.Index(md[i:], "]\n")
	if err := os.WriteFile(broken, []byte(md[:j]+md[j+1:]), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := t.TempDir()
	cmd := exec.CommandContext(ctx, "bash", renderComment, "--out", out, "--theme", "both", good, broken)
	_, stderr := browsertest.RunExpecting(t, cmd, 1, "the broken report fails")
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, filepath.Join(out, "trend.")) {
			t.Errorf("trend markdown: %s", line)
		}
	}
	for _, page := range []string{"broken.html", "broken.dark.html"} {
		if !strings.Contains(stderr, filepath.Join(out, page)+": console error: mermaid chart at broken.md:") {
			t.Errorf("the broken report's %s passed the check:\n%s", page, stderr)
		}
	}
	for _, png := range []string{"trend.png", "trend.dark.png"} {
		if info, err := os.Stat(filepath.Join(out, png)); err != nil || info.Size() < 10_000 {
			t.Errorf("screenshot %s: %v", png, err)
		}
	}
}
