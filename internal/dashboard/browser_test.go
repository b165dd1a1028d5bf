package dashboard

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/browsertest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// browserCheckTimeout bounds the browser check, its first npm ci included.
const browserCheckTimeout = 5 * time.Minute

// screenshotEnv names an environment variable: when set, the browser test
// writes the dashboard's screenshot to that path (to look at it).
const screenshotEnv = "VLLM_BENCH_DASHBOARD_SCREENSHOT"

// TestDashboardInBrowser opens a generated dashboard in headless Chromium
// with scripts/browser/check.mjs: the page must render without console
// errors or requests off the file system, with its charts (runs, levels,
// noise bands, change points), their key and the table. A page without charts is checked beside it and must fail, so a
// check that passes everything cannot go unnoticed.
func TestDashboardInBrowser(t *testing.T) {
	browsertest.Require(t, "the dashboard")
	browsertest.TrackInputs(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserCheckTimeout)
	defer cancel()
	browsertest.Setup(ctx, t)

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
	cmd := browsertest.Check(ctx, t,
		"--expect", "svg", "--expect", "svg.trend-chart polyline", "--expect", ".change-point.regression",
		"--expect", "svg.trend-chart line.level", "--expect", "svg.trend-chart rect.band",
		"--expect", "table.latest td", "--expect", "p.key", "--timeout-ms", "8000", "--screenshot-dir", shots, page, emptyPage)
	_, stderr := browsertest.RunExpecting(t, cmd, 1, "the page without charts fails")
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, page+":") {
			t.Errorf("dashboard: %s", strings.TrimPrefix(line, page+": "))
		}
	}
	if !strings.Contains(stderr, emptyPage+": ") {
		t.Errorf("the page without charts passed the check:\n%s", stderr)
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
