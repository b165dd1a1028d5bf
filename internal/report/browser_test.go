package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// browserSkipReason says why the browser check cannot run here, or "".
func browserSkipReason() string {
	for _, tool := range []string{"bash", "node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " is not installed"
		}
	}
	if c := os.Getenv("CHROMIUM"); c != "" {
		if _, err := exec.LookPath(c); err != nil {
			return "CHROMIUM=" + c + " is not an executable"
		}
		return ""
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return ""
		}
	}
	return "Chromium is not installed (apt-get install chromium, or set CHROMIUM)"
}

// TestCommentsRenderInBrowser renders every golden comment in
// testdata/report as GitHub shows it, in headless Chromium, and fails on any
// mermaid parse error, console error or request off the file system; it also
// checks that deliberately broken comments fail, and that each page gets a
// screenshot of a comment's width.
func TestCommentsRenderInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: renders comments in headless Chromium")
	}
	if reason := browserSkipReason(); reason != "" {
		t.Skip("skipped: " + reason + "; the PR comments are not checked in a browser")
	}
	goldens, err := filepath.Glob(filepath.Join("..", "..", "testdata", "report", "*.md"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden comments in testdata/report (%v)", err)
	}
	trackBrowserInputs(t, goldens)
	out := os.Getenv(renderOutEnv)
	if out == "" {
		out = t.TempDir()
	}
	fixtureDir := t.TempDir()
	args := []string{filepath.Join("..", "..", "scripts", "render-comment.sh"), "--out", out}
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
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("render-comment.sh: want exit status 1 (the broken fixtures fail), got %v\nstdout:\n%s\nstderr:\n%s",
			err, stdout.String(), stderr.String())
	}
	problems := strings.Split(stderr.String(), "\n")

	for _, md := range goldens {
		name := strings.TrimSuffix(filepath.Base(md), ".md")
		page := filepath.Join(out, name+".html")
		for _, line := range problems {
			if strings.HasPrefix(line, page+":") {
				t.Errorf("%s: %s", filepath.Base(md), strings.TrimPrefix(line, page+": "))
			}
		}
		if !strings.Contains(stdout.String(), "ok "+page+" -> ") {
			t.Errorf("%s: no ok line for %s in:\n%s", filepath.Base(md), page, stdout.String())
		}
		checkScreenshot(t, filepath.Join(out, name+".png"))
	}
	for _, f := range browserFixtures {
		page := filepath.Join(out, strings.TrimSuffix(f.name, ".md")+".html")
		if !strings.Contains(stderr.String(), page+": "+f.problem) {
			t.Errorf("%s: want a problem line %q, got stderr:\n%s", f.name, page+": "+f.problem, stderr.String())
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
	args := []string{filepath.Join("..", "..", "scripts", "browser", "check.mjs"),
		"--expect", `body[data-rendered="done"]`,
		"--screenshot", filepath.Join(t.TempDir(), "regression.png")}
	for _, colour := range []string{baselineColour, currentColour} {
		args = append(args, "--expect", fmt.Sprintf(`g[class^="line-plot"] path[stroke="%s"]`, colour))
	}
	args = append(args, "--expect", "g.legend", page)
	out, err := exec.CommandContext(ctx, "node", args...).CombinedOutput()
	if err != nil {
		t.Errorf("the regression chart lacks a line or its legend: %v\n%s", err, out)
	}
}

// trackBrowserInputs reads the files the browser check depends on, so that
// go test's cache, which sees only the files the test process opens, reruns
// the test when a golden comment or the rendering scripts change.
func trackBrowserInputs(t *testing.T, goldens []string) {
	t.Helper()
	inputs := []string{filepath.Join("..", "..", "scripts", "render-comment.sh")}
	for _, pattern := range []string{"*.*js*", "*.sh"} {
		scripts, err := filepath.Glob(filepath.Join("..", "..", "scripts", "browser", pattern))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, scripts...)
	}
	for _, path := range append(inputs, goldens...) {
		if _, err := os.ReadFile(path); err != nil {
			t.Fatalf("browser check input: %v", err)
		}
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
