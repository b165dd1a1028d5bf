package report

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/browsertest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
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
	smallChangePage := filepath.Join(fixtureDir, "small-change.md")
	if err := os.WriteFile(smallChangePage, []byte("## A +6 % change\n\n"+smallChange().mermaid()), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, smallChangePage)
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
	checkSmallChange(ctx, t, filepath.Join(out, "small-change.html"))
	checkTableFits(ctx, t, filepath.Join(out, "comment-grid.html"))
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
	for _, colour := range []string{trend.RunColour, trend.LevelColour} {
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

// evalPage opens a rendered page again and returns the JSON value of a
// JavaScript expression evaluated in it (check.mjs --eval).
func evalPage(ctx context.Context, t *testing.T, page, expression string) string {
	t.Helper()
	args := []string{"--expect", `body[data-rendered="done"]`, "--screenshot", filepath.Join(t.TempDir(), "page.png"), "--eval", expression, page}
	out, err := browsertest.Check(ctx, t, args...).Output()
	prefix := "eval " + page + ": "
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, prefix) && err == nil {
			return strings.TrimPrefix(line, prefix)
		}
	}
	t.Fatalf("%s: no value for %s (%v):\n%s", page, expression, err, out)
	return ""
}

// checkSmallChange measures, in the SVG mermaid drew, how far apart the
// +6 % change (the first line's third point) and the zero line (the
// second line) are: at least minApartPx.
func checkSmallChange(ctx context.Context, t *testing.T, page string) {
	t.Helper()
	js := evalPage(ctx, t, page, `[...document.querySelectorAll("svg g[class^=line-plot] path")].map(p => p.getAttribute("d"))`)
	var paths []string
	if err := json.Unmarshal([]byte(js), &paths); err != nil || len(paths) != 4 {
		t.Fatalf("want the four lines' paths (change, zero, +tolerance, -tolerance), got %s (%v)", js, err)
	}
	change, zero := pathYs(t, paths[0]), pathYs(t, paths[1])
	if len(change) != 4 || len(zero) != 4 {
		t.Fatalf("want 4 points a line, got %v and %v", change, zero)
	}
	if apart := zero[2] - change[2]; apart < minApartPx {
		t.Errorf("the +6%% change is drawn %.1f px above zero, want %d px or more", apart, minApartPx)
	}
}

// pathYs returns the y coordinates of an SVG path of straight lines
// ("M64.7,127L239,133.1...").
func pathYs(t *testing.T, d string) []float64 {
	t.Helper()
	var ys []float64
	for _, pt := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' }) {
		_, y, ok := strings.Cut(pt, ",")
		v, err := strconv.ParseFloat(strings.TrimSpace(y), 64)
		if !ok || err != nil {
			t.Fatalf("path %q: point %q is not x,y", d, pt)
		}
		ys = append(ys, v)
	}
	return ys
}

// checkTableFits measures the 48-point grid's compact table: no wider
// than a comment, and no cell's text wrapped onto a second line.
func checkTableFits(ctx context.Context, t *testing.T, page string) {
	t.Helper()
	js := evalPage(ctx, t, page, `(() => {
		const table = document.querySelector(".markdown-body table");
		const wrapped = [...table.querySelectorAll("th, td")].filter(c => {
			const s = getComputedStyle(c);
			const text = c.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
			return text > 1.5 * parseFloat(s.lineHeight);
		}).map(c => c.textContent);
		return {width: table.scrollWidth, body: document.querySelector(".markdown-body").clientWidth, rows: table.rows.length, wrapped};
	})()`)
	var got struct {
		Width, Body, Rows int
		Wrapped           []string
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("table measures %s: %v", js, err)
	}
	if got.Width > commentWidthPx || got.Rows < 2 || len(got.Wrapped) > 0 {
		t.Errorf("the grid's compact table is %d px wide (comment %d px) with %d rows; wrapped cells %q", got.Width, commentWidthPx, got.Rows, got.Wrapped)
	}
}
