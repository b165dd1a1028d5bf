package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

// calibrateConfig writes a two-point simulator config that runs in about a
// second per sweep.
func calibrateConfig(t *testing.T, dir string) string {
	t.Helper()
	cfg := fmt.Sprintf(`runs:
  - name: cal
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: %d
      max_model_len: 2048
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: ["--sim-speedup", "20", "--sim-load-time", "0.1"]
      startup_timeout: 1m
    bench:
      context_size: [256]
      concurrency: [4, 8]
      num_prompts: [24]
      output_len: [16]
`, runTestPort(t))
	path := filepath.Join(dir, "cal.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Without --out, calibrate writes its sweeps to calibration/rep-<k> under
// the run's output_dir, not into the working directory.
func TestCalibrateDefaultOutIsUnderOutputDir(t *testing.T) {
	dir := t.TempDir()
	cfg := calibrateConfig(t, dir)
	outputDir := filepath.Join(dir, "results")
	src := strings.Replace(string(mustRead(t, cfg)), "    bench:\n", "    bench:\n      output_dir: "+outputDir+"\n", 1)
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, nil, "calibrate", "-c", cfg, "--repeats", "2")
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for k := 1; k <= 2; k++ {
		rep := filepath.Join(outputDir, "calibration", fmt.Sprintf("rep-%d", k))
		if _, err := os.Stat(filepath.Join(rep, "summary.json")); err != nil {
			t.Errorf("sweep %d: %v", k, err)
		}
		if !strings.Contains(stderr, "sweep "+fmt.Sprint(k)+" of 2 into "+rep) {
			t.Errorf("stderr does not name %s:\n%s", rep, stderr)
		}
	}
	if _, err := os.Stat("calibration"); err == nil {
		t.Errorf("calibrate wrote ./calibration in the working directory")
	}
}

func TestCalibrateCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := calibrateConfig(t, dir)
	out := filepath.Join(dir, "cal")
	baselines := filepath.Join(dir, "baselines")
	code, stdout, stderr := cli(t, nil, "calibrate", "-c", cfg, "--repeats", "3", "--out", out, "--baselines", baselines)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "A/A calibration of 3 runs") || !strings.Contains(stdout, "run-to-run CV") {
		t.Errorf("no calibration summary:\n%s", stdout)
	}
	for _, point := range []string{"CTX256 C4 P24 O16", "CTX256 C8 P24 O16"} {
		for _, metric := range gate.DefaultMetrics() {
			found := false
			for _, line := range strings.Split(stdout, "\n") {
				if strings.Contains(line, point+" ") && strings.Contains(line, "| "+metric+" ") {
					// One A/A count of K(K-1)/2 = 3 pairs and a CV in percent.
					found = strings.Contains(line, "/3 ") && strings.Count(line, "%") >= 2
				}
			}
			if !found {
				t.Errorf("no row with a CV and an A/A count for %s %s:\n%s", point, metric, stdout)
			}
		}
	}
	if strings.Contains(stdout, "server ") {
		t.Errorf("the sweeps' tables went to stdout:\n%s", stdout)
	}
	for k := 1; k <= 3; k++ {
		if _, err := os.Stat(filepath.Join(out, fmt.Sprintf("rep-%d", k), "summary.json")); err != nil {
			t.Errorf("sweep %d: %v", k, err)
		}
	}
	// --baselines accepted every sweep: three history lines, enough for the
	// gate's run-to-run test.
	matches, _ := filepath.Glob(filepath.Join(baselines, "*", "history.jsonl"))
	if len(matches) != 1 {
		t.Fatalf("history files: %v", matches)
	}
	if lines := strings.Count(string(mustRead(t, matches[0])), "\n"); lines != 3 {
		t.Errorf("history has %d lines, want 3 (one per sweep)", lines)
	}
	// The three lines are one sitting: the gate does not take their spread
	// for the run-to-run noise, and says why.
	hist, err := baseline.ReadHistory(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range hist {
		if !strings.HasPrefix(e.Sitting, "calibrate ") || e.Sitting != hist[0].Sitting {
			t.Errorf("history line %d: sitting %q, want the calibrate invocation's, the same on every line", i+1, e.Sitting)
		}
	}
	if !strings.Contains(stdout, "The 3 sweeps ran back to back in one sitting") || !strings.Contains(stderr, "marked as one sitting") {
		t.Errorf("calibrate does not say its sweeps were one sitting:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	pairs, err := baseline.Load(filepath.Join(out, "rep-3"), baselines)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		if len(p.History) != 0 || !strings.Contains(p.HistoryNote, "the 3 history runs were all measured in one sitting") {
			t.Errorf("%s: history %v, note %q; want none, and the reason", p.Name(), p.History, p.HistoryNote)
		}
	}
}

func TestCalibrateBadFlags(t *testing.T) {
	cfg := calibrateConfig(t, t.TempDir())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no repeats", []string{"-c", cfg}, "--repeats: must be >= 2"},
		{"one repeat", []string{"-c", cfg, "--repeats", "1"}, "--repeats: must be >= 2"},
		{"not a number", []string{"-c", cfg, "--repeats", "many"}, "invalid value"},
		{"no config", []string{"--repeats", "3"}, "-c CONFIG is required"},
		{"bad format", []string{"-c", cfg, "--repeats", "3", "--format", "html"}, "--format"},
		{"bad engine", []string{"-c", cfg, "--repeats", "3", "--engine", "tgi"}, "--engine"},
		{"unknown run", []string{"-c", cfg, "--repeats", "3", "--run", "nope"}, "no run named"},
		{"unknown flag", []string{"-c", cfg, "--repeats", "3", "--warmup"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, cmdCalibrate, tt.args...)
			if code != ExitInvalid || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, ExitInvalid, tt.want)
			}
		})
	}
}
