package report

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

const gpu = gatetest.H100

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "report", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	r := New(gate.Compare(gatetest.GoldenPairs(), gate.Options{Seed: 1}))
	golden(t, "compare.md", r.Markdown())
	golden(t, "compare.txt", r.Text())
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.json", string(js)+"\n")
}

func TestAnnotations(t *testing.T) {
	r := New(gate.Compare(gatetest.GoldenPairs(), gate.Options{Seed: 1}))
	ann := r.Annotations()
	if len(ann) != 2 || !strings.Contains(ann[0], "median_ttft_ms regressed") {
		t.Errorf("annotations = %q", ann)
	}
}

// TestCommentSizeLimit: a 200-point sweep's comment fits GitHub's limit
// and, when trimmed, says where the full report is; Markdown, the job
// summary's version, keeps every point and metric.
func TestCommentSizeLimit(t *testing.T) {
	full := FullReport{RunURL: "https://github.com/o/r/actions/runs/7", Files: []string{"results/report.md", "results/report.json"}}
	for _, regress := range []bool{false, true} {
		r := New(gate.Compare(gatetest.Sweep200(regress), gate.Options{Resamples: 100, Gates: map[string]gate.Settings{
			"llama-70b-long-run-name": gate.Defaults(),
		}}))
		md, trimmed := r.Comment(full)
		if n := utf8.RuneCountInString(md); n >= 65000 || len(md) > MaxMarkdownBytes {
			t.Errorf("regress=%v: markdown has %d characters, %d bytes", regress, n, len(md))
		}
		if regress && r.Regressions() != 600 {
			t.Errorf("regressions = %d, want 600", r.Regressions())
		}
		if !strings.Contains(md, "200 points") && !strings.Contains(md, "200 regressions") {
			t.Errorf("regress=%v: the summary lost its counts", regress)
		}
		whole := r.Markdown()
		if trimmed != (len(whole) > MaxMarkdownBytes) {
			t.Errorf("regress=%v: trimmed %v for a report of %d bytes", regress, trimmed, len(whole))
		}
		if trimmed && !strings.Contains(md, "[workflow run](https://github.com/o/r/actions/runs/7)") || trimmed && !strings.Contains(md, "`results/report.json`") {
			t.Errorf("regress=%v: the trimmed comment does not link to the full report:\n%s", regress, md[max(0, len(md)-600):])
		}
		l := r.labeler()
		for _, g := range r.Groups {
			for _, row := range g.Rows {
				for _, c := range row.Cells {
					if want := "| " + l.row(row.Point) + " "; !strings.Contains(whole, want) || !strings.Contains(whole, metricTitle(c.Metric)) {
						t.Fatalf("regress=%v: the full report lacks %s %s", regress, l.row(row.Point), c.Metric)
					}
				}
			}
		}
		if n := strings.Count(whole, "\n| "); n < 600 {
			t.Errorf("regress=%v: the full report has %d table rows, want every point and metric (600)", regress, n)
		}
		// Tables are never cut: every table line is a whole row.
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
				t.Errorf("cut table line %q", line)
			}
		}
	}
}

// TestSmallValuesKeepTheirDigits: a value far under one prints with its
// significant digits in every table, never as 0.000.
func TestSmallValuesKeepTheirDigits(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{0.014, "0.01400"}, {0.0004, "0.0004000"}, {95.437, "95.44"}, {1531.2, "1531"}} {
		if got := fmtValue(tt.v); got != tt.want {
			t.Errorf("fmtValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	r := New(gate.Compare(gatetest.GoldenPairs(), gate.Options{Seed: 1}))
	c := r.Groups[0].Rows[0].Cells[0]
	c.Base, c.Cur = 0.0004, 0.014
	for name, out := range map[string]string{"markdown": r.Markdown(), "text": r.Text()} {
		if !strings.Contains(out, "0.0004000") || !strings.Contains(out, "0.01400") {
			t.Errorf("%s lacks the small values 0.0004000 and 0.01400:\n%s", name, out)
		}
		if strings.Contains(out, "0.000 ") {
			t.Errorf("%s prints a non-zero value as 0.000:\n%s", name, out)
		}
	}
}
