package dashboard

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// browserCheckTimeout bounds the browser check, its first npm ci included.
const browserCheckTimeout = 5 * time.Minute

// screenshotEnv names an environment variable: when set, the browser test
// writes the dashboard's screenshot to that path (to look at it).
const screenshotEnv = "VLLM_BENCH_DASHBOARD_SCREENSHOT"

// browserSkipReason says why the browser check cannot run here, or "":
// scripts/browser/check.mjs needs bash and npm (setup.sh), node and a
// Chromium.
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

// TestDashboardInBrowser opens a generated dashboard in headless Chromium
// with scripts/browser/check.mjs: the page must render without console
// errors or requests off the file system, with its charts, change points
// and table. A page without charts is checked beside it and must fail, so a
// check that passes everything cannot go unnoticed.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: opens the dashboard in headless Chromium")
	}
	if reason := browserSkipReason(); reason != "" {
		t.Skip("skipped: " + reason + "; the dashboard is not checked in a browser")
	}
	browser := filepath.Join("..", "..", "scripts", "browser")
	ctx, cancel := context.WithTimeout(context.Background(), browserCheckTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "bash", filepath.Join(browser, "setup.sh")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/browser/setup.sh: %v\n%s", err, out)
	}

	a, _ := fixture(t)
	site := filepath.Join(t.TempDir(), "site")
	if err := Write(site, a, Options{RepoURL: "https://github.com/o/r"}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(site, IndexFile)
	empty := filepath.Join(t.TempDir(), "empty")
	if err := Write(empty, &trend.Analysis{}, Options{}); err != nil {
		t.Fatal(err)
	}
	emptyPage := filepath.Join(empty, "no-charts.html")
	if err := os.Rename(filepath.Join(empty, IndexFile), emptyPage); err != nil {
		t.Fatal(err)
	}

	// The page without charts waits out --timeout-ms for its selectors; the
	// dashboard, a static page, renders at once.
	shots := t.TempDir()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(browser, "check.mjs"),
		"--expect", "svg", "--expect", "svg.trend-chart polyline", "--expect", ".change-point.regression",
		"--expect", "table.latest td", "--timeout-ms", "8000", "--screenshot-dir", shots, page, emptyPage)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("check.mjs: want exit status 1 (the page without charts fails), got %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, page+":") {
			t.Errorf("dashboard: %s", strings.TrimPrefix(line, page+": "))
		}
	}
	if !strings.Contains(stderr.String(), emptyPage+": ") {
		t.Errorf("the page without charts passed the check:\n%s", stderr.String())
	}
	shot := filepath.Join(shots, "index.png")
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Fatalf("screenshot %s: %d bytes, %v", shot, len(png), err)
	}
	if out := os.Getenv(screenshotEnv); out != "" {
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
