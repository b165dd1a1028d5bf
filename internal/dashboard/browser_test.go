package dashboard

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// browserCheckTimeout bounds one run of the browser check.
const browserCheckTimeout = 2 * time.Minute

// checkScript returns the browser checker: $VLLM_BENCH_BROWSER_CHECK, else
// scripts/browser/check.mjs of this repository.
func checkScript(t *testing.T) string {
	if s := os.Getenv("VLLM_BENCH_BROWSER_CHECK"); s != "" {
		return s
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "scripts", "browser", "check.mjs")
}

// chromiumPresent reports whether the checker will find a Chromium the way
// it looks for one.
func chromiumPresent() bool {
	if c := os.Getenv("CHROMIUM"); c != "" {
		_, err := os.Stat(c)
		return err == nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return true
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

// TestDashboardInBrowser opens a generated dashboard in headless Chromium
// with scripts/browser/check.mjs: the page must render without console
// errors or blocked requests, with its charts, change points and table.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the browser check needs it")
	}
	if !chromiumPresent() {
		t.Skip("chromium is not installed (apt-get install chromium, or set CHROMIUM)")
	}
	script := checkScript(t)
	if _, err := os.Stat(script); err != nil {
		t.Skipf("browser checker %s is missing", script)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "playwright-core")); err != nil {
		t.Skipf("the browser checker's packages are not installed (run npm ci in %s)", filepath.Dir(script))
	}

	a, _ := fixture(t)
	site := t.TempDir()
	if err := Write(site, a, Options{RepoURL: "https://github.com/o/r"}); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "dashboard.png")
	ctx, cancel := context.WithTimeout(context.Background(), browserCheckTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script,
		"--expect", "svg", "--expect", "svg.trend-chart polyline", "--expect", ".change-point.regression",
		"--expect", "table.latest td", "--screenshot", shot, filepath.Join(site, IndexFile))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 2 {
			t.Fatalf("browser check could not run (usage or Chromium start): %v\n%s", err, out.String())
		}
		t.Fatalf("browser check failed: %v\n%s", err, out.String())
	}
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("screenshot %s: %d bytes, %v", shot, len(png), err)
	}
	t.Logf("%s", out.String())
}
