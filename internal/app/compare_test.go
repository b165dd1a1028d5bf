package app

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// gateResult returns a result of run "gate" at concurrency conc whose TTFTs
// are scaled by slow.
func gateResult(conc int, slow float64, seed uint64) (string, *results.File) {
	rng := rand.New(rand.NewPCG(seed, 1))
	srv := sweep.Server{Run: "gate", TP: 1, DP: 1, PP: 1}
	pt := sweep.Point{ContextSize: 512, Concurrency: conc, NumPrompts: 100, OutputLen: 64}
	f := &results.File{Completed: 100, OutputThroughput: 1000, MedianTTFTMs: 50 * slow, MedianTPOTMs: 9}
	for range 100 {
		ttft := 0.05 * slow * (0.9 + 0.2*rng.Float64())
		f.Ttfts = append(f.Ttfts, ttft)
		f.Latencies = append(f.Latencies, ttft+63*0.009*(0.98+0.04*rng.Float64()))
		f.OutputLens = append(f.OutputLens, 64)
		f.Errors = append(f.Errors, "")
	}
	f.VllmBench = results.Meta{
		SchemaVersion: results.SchemaVersion, Run: "gate", TP: 1, DP: 1, PP: 1, Point: pt,
		Repeats: []results.Repeat{{OutputThroughput: 1000}}, EndTime: "2025-01-01T00:00:00Z",
	}
	return sweep.ResultName(srv, pt), f
}

func writeGateResults(t *testing.T, slow float64, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	for i, c := range []int{4, 16} {
		name, f := gateResult(c, slow, seed+uint64(i))
		if err := results.Write(filepath.Join(dir, name), f); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCmd(t *testing.T, cmd func(context.Context, *Env, []string) error, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb}
	code := exitWith(&errb, cmd(context.Background(), env, args))
	return code, out.String(), errb.String()
}

func TestCompareCommand(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baselines")
	same := writeGateResults(t, 1, 1)

	// No baselines yet: every point is new, exit 0.
	code, out, stderr := runCmd(t, cmdCompare, "--results", same, "--baselines", base, "--format", "markdown")
	if code != ExitOK || !strings.Contains(out, "✅") {
		t.Fatalf("before update: exit %d\n%s%s", code, out, stderr)
	}

	code, out, stderr = runCmd(t, cmdBaseline, "update", "--results", same, "--baselines", base)
	if code != ExitOK || !strings.Contains(out, "promoted 2 points") {
		t.Fatalf("baseline update: exit %d\n%s%s", code, out, stderr)
	}

	// The same results pass.
	if code, out, stderr = runCmd(t, cmdCompare, "--results", same, "--baselines", base); code != ExitOK {
		t.Errorf("same results: exit %d\n%s%s", code, out, stderr)
	}

	// 50% slower TTFT fails the gate (beyond the no-history allowance of
	// 30%); JSON says so.
	slow := writeGateResults(t, 1.5, 7)
	outFile := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr = runCmd(t, cmdCompare, "--results", slow, "--baselines", base, "--format", "json", "--out", outFile)
	if code != ExitRegression {
		t.Errorf("regression: exit %d, want %d\n%s", code, ExitRegression, stderr)
	}
	data, err := os.ReadFile(outFile)
	if err != nil || !bytes.Contains(data, []byte(`"verdict": "regression"`)) {
		t.Errorf("json report: %v\n%s", err, data)
	}

	// A tolerance above the change passes it.
	if code, out, _ = runCmd(t, cmdCompare, "--results", slow, "--baselines", base, "--tolerance", "0.7"); code != ExitOK {
		t.Errorf("--tolerance 0.7: exit %d\n%s", code, out)
	}
}

func TestCompareCommandInvalid(t *testing.T) {
	res := writeGateResults(t, 1, 1)
	base := t.TempDir()
	name, _ := gateResult(4, 1, 1)
	corrupt := filepath.Join(base, "gate", name)
	if err := os.MkdirAll(filepath.Dir(corrupt), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corrupt, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"corrupt baseline", []string{"--results", res, "--baselines", base}, fmt.Sprintf("%q", corrupt)},
		{"missing results", []string{"--results", filepath.Join(base, "nope"), "--baselines", base}, "does not exist"},
		{"no results flag", []string{"--baselines", base}, "--results DIR is required"},
		{"bad metric", []string{"--results", res, "--metrics", "mean_ttft"}, `unknown metric "mean_ttft"`},
		{"bad format", []string{"--results", res, "--format", "html"}, "--format"},
		{"bad alpha", []string{"--results", res, "--alpha", "2"}, "must be in (0, 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, cmdCompare, tt.args...)
			if code != ExitInvalid || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, ExitInvalid, tt.want)
			}
		})
	}
}

func TestBaselineCommandUsage(t *testing.T) {
	if code, _, stderr := runCmd(t, cmdBaseline, "promote"); code != ExitInvalid || !strings.Contains(stderr, "update") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestCalibrateDirs(t *testing.T) {
	dirs := []string{writeGateResults(t, 1, 1), writeGateResults(t, 1, 11), writeGateResults(t, 1, 21)}
	c, err := gate.CalibrateDirs(dirs, nil, gate.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Points) != 2 || c.Points[0].Pairs != 3 {
		t.Errorf("calibration = %+v", c)
	}
	if _, err := gate.CalibrateDirs([]string{filepath.Join(dirs[0], "missing")}, nil, gate.Defaults()); err == nil {
		t.Error("missing directory: no error")
	}
}

// Missing is a verdict: what the baseline or the sweep's plan has and the
// results lack fails the gate as infrastructure (exit 3), named in every
// format; an empty directory is exit 3 with one line.
func TestCompareMissing(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baselines")
	full := writeGateResults(t, 1, 1)
	if code, out, stderr := runCmd(t, cmdBaseline, "update", "--results", full, "--baselines", base); code != ExitOK {
		t.Fatalf("baseline update: exit %d\n%s%s", code, out, stderr)
	}
	kept, _ := gateResult(4, 1, 1)
	gone, _ := gateResult(16, 1, 2)

	// One of the two points, no summary.json: the baseline's other point
	// is missing.
	half := t.TempDir()
	data, err := os.ReadFile(filepath.Join(full, kept))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, kept), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A sweep cut short: summary.json lists the second point as not run.
	cut := t.TempDir()
	if err := os.WriteFile(filepath.Join(cut, kept), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteSummary(cut, &results.Summary{Points: []results.PointStatus{
		{File: kept, Status: "ok", Completed: 100}, {File: gone, Status: "not-run"},
	}}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{half, cut} {
		for _, format := range []string{"text", "markdown", "json"} {
			code, out, stderr := runCmd(t, cmdCompare, "--results", dir, "--baselines", base, "--format", format)
			// Text names the point by its label, markdown and JSON by file.
			if code != ExitInfra || !strings.Contains(out, "missing") || !strings.Contains(out, "C16") {
				t.Errorf("%s, %s: exit %d, want %d and the missing point named\nstdout:\n%s\nstderr:\n%s", filepath.Base(dir), format, code, ExitInfra, out, stderr)
			}
			if !strings.Contains(stderr, "1 planned point not measured: "+gone) {
				t.Errorf("%s, %s: stderr %q does not name the missing point", filepath.Base(dir), format, stderr)
			}
		}
	}
	code, out, _ := runCmd(t, cmdCompare, "--results", cut, "--baselines", base, "--format", "json")
	if code != ExitInfra || !strings.Contains(out, `"verdict": "failed"`) || !strings.Contains(out, `"missing": 1`) {
		t.Errorf("json: exit %d\n%s", code, out)
	}

	// An empty directory: exit 3, one line naming it.
	empty := t.TempDir()
	code, out, stderr := runCmd(t, cmdCompare, "--results", empty, "--baselines", base)
	if code != ExitInfra || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "holds no result files") || !strings.Contains(stderr, empty) {
		t.Errorf("empty directory: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}
