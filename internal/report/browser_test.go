package report

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/browsertest"
)

// renderOutEnv names an environment variable: when set, the browser test
// writes its pages and screenshots there (to look at them) instead of a
// temporary folder.
const renderOutEnv = "VLLM_BENCH_RENDER_OUT"

// renderPageWidthPx is the screenshot width render-comment.sh asks for: a
// comment 780 px wide in its frame.
const renderPageWidthPx = 830

// browserFixtures are comments that must fail the check, each with the
// problem its line must name. They run in the same browser as the golden
// comments, so a check that passes everything cannot go unnoticed.
var browserFixtures = []struct {
	name, markdown, problem string
}{
	{
		name:     "broken-chart.md",
		markdown: "## chart\n\n```mermaid\nxychart-beta\n    line [1, 2\n```\n",
		problem:  "console error: mermaid chart at broken-chart.md:3: does not parse",
	},
	{
		name:     "remote-image.md",
		markdown: "## picture\n\n![logo](https://example.com/logo.png)\n",
		problem:  "request failed: https://example.com/logo.png",
	},
}

// TestCommentsRenderInBrowser renders every golden comment in
// testdata/report as GitHub shows it, in headless Chromium, and fails on any
// mermaid parse error, console error or request off the file system; it also
// checks that deliberately broken comments fail, and that each page gets a
// screenshot of a comment's width.
func TestCommentsRenderInBrowser(t *testing.T) {
	browsertest.Require(t, "the PR comments")
	goldens, err := filepath.Glob(filepath.Join("..", "..", "testdata", "report", "*.md"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden comments in testdata/report (%v)", err)
	}
	renderComment := filepath.Join(browsertest.Scripts(t), "render-comment.sh")
	browsertest.TrackInputs(t, append([]string{renderComment}, goldens...)...)
	out := os.Getenv(renderOutEnv)
	if out == "" {
		out = t.TempDir()
	}
	fixtureDir := t.TempDir()
	args := []string{renderComment, "--out", out}
	args = append(args, goldens...)
	for _, f := range browserFixtures {
		path := filepath.Join(fixtureDir, f.name)
		if err := os.WriteFile(path, []byte(f.markdown), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", args...)
	stdout, stderr := browsertest.RunExpecting(t, cmd, 1, "the broken fixtures fail")
	problems := strings.Split(stderr, "\n")

	for _, md := range goldens {
		name := strings.TrimSuffix(filepath.Base(md), ".md")
		page := filepath.Join(out, name+".html")
		for _, line := range problems {
			if strings.HasPrefix(line, page+":") {
				t.Errorf("%s: %s", filepath.Base(md), strings.TrimPrefix(line, page+": "))
			}
		}
		if !strings.Contains(stdout, "ok "+page+" -> ") {
			t.Errorf("%s: no ok line for %s in:\n%s", filepath.Base(md), page, stdout)
		}
		checkScreenshot(t, filepath.Join(out, name+".png"))
	}
	for _, f := range browserFixtures {
		page := filepath.Join(out, strings.TrimSuffix(f.name, ".md")+".html")
		if !strings.Contains(stderr, page+": "+f.problem) {
			t.Errorf("%s: want a problem line %q, got stderr:\n%s", f.name, page+": "+f.problem, stderr)
		}
	}
	checkRegressionChart(ctx, t, filepath.Join(out, "comment-regression.html"))
	if t.Failed() {
		t.Logf("pages and screenshots in %s (set %s to keep them)", out, renderOutEnv)
	}
}

// checkRegressionChart opens the rendered regression comment again and
// checks that its chart drew both lines, each in its own colour, and a
// legend.
func checkRegressionChart(ctx context.Context, t *testing.T, page string) {
	t.Helper()
	args := []string{"--expect", `body[data-rendered="done"]`,
		"--screenshot", filepath.Join(t.TempDir(), "regression.png")}
	for _, colour := range []string{baselineColour, currentColour} {
		args = append(args, "--expect", fmt.Sprintf(`g[class^="line-plot"] path[stroke="%s"]`, colour))
	}
	args = append(args, "--expect", "g.legend", page)
	out, err := browsertest.Check(ctx, t, args...).CombinedOutput()
	if err != nil {
		t.Errorf("the regression chart lacks a line or its legend: %v\n%s", err, out)
	}
}

// checkScreenshot fails unless path is a PNG as wide as a rendered comment.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Errorf("screenshot %q: %v", path, err)
		return
	}
	if cfg.Width != renderPageWidthPx || cfg.Height < 150 {
		t.Errorf("screenshot %q is %dx%d px, want %d px wide and a comment's height", path, cfg.Width, cfg.Height, renderPageWidthPx)
	}
}
