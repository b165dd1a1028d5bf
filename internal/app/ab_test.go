package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// simFast are the simulator flags that make the quick-start sweep take
// about a second per server start.
const simFast = `"--sim-speedup", "20", "--sim-load-time", "0.1"`

// abConfig writes examples/quickstart.yaml with the candidate's simulator
// flags candidate and an ab section whose reference build runs with base.
func abConfig(t *testing.T, dir, candidate, base string) string {
	t.Helper()
	src := string(mustRead(t, filepath.Join("..", "..", "examples", "quickstart.yaml")))
	src = strings.Replace(src, "port: 8100", fmt.Sprintf("port: %d", runTestPort(t)), 1)
	src = strings.Replace(src, "      startup_timeout: 2m\n",
		fmt.Sprintf("      startup_timeout: 2m\n      extra_args: [%s]\n", candidate), 1)
	src += fmt.Sprintf("    ab:\n      baseline:\n        extra_args: [%s]\n", base)
	path := filepath.Join(dir, "ab.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// abReport is the part of ab's JSON report the tests read.
type abReport struct {
	Verdict string `json:"verdict"`
	Points  []struct {
		Cells []struct {
			Metric  string `json:"metric"`
			Verdict string `json:"verdict"`
		} `json:"cells"`
	} `json:"points"`
	Paired struct {
		Rounds    int `json:"rounds"`
		MaxRounds int `json:"max_rounds"`
	} `json:"paired"`
}

func readABReport(t *testing.T, data string) abReport {
	t.Helper()
	var r abReport
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	return r
}

// simSteady are the simulator flags of the test that needs a verdict: at
// --sim-speedup 10 a decode step lasts about 1.4 ms, long enough that a
// loaded 2-core machine does not swamp a 50 % slowdown within four rounds.
// (The gate's power against smaller changes is measured by
// scripts/gate-quality.sh, not here.)
const simSteady = `"--sim-speedup", "10", "--sim-load-time", "0.1"`

func TestABSlowdownRegresses(t *testing.T) {
	dir := t.TempDir()
	cfg := abConfig(t, dir, simSteady+`, "--sim-slowdown", "1.5"`, simSteady)
	out := filepath.Join(dir, "ab")
	code, stdout, stderr := cli(t, nil, "ab", "-c", cfg, "--out", out, "--format", "json")
	if code != ExitRegression {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitRegression, stdout, stderr)
	}
	r := readABReport(t, stdout)
	named := false
	for _, p := range r.Points {
		for _, c := range p.Cells {
			named = named || c.Verdict == "regression" && (c.Metric == "median_tpot_ms" || c.Metric == "output_throughput")
		}
	}
	if !named || r.Verdict != "regression" {
		t.Errorf("verdict %s; no TPOT or throughput regression named:\n%s", r.Verdict, stdout)
	}
	if r.Paired.Rounds < 2 || r.Paired.Rounds > 4 || r.Paired.MaxRounds != 4 {
		t.Errorf("rounds %d of %d, want 2-4 of 4", r.Paired.Rounds, r.Paired.MaxRounds)
	}
	// Every start left its files: the usual names plus the round.
	for _, side := range []string{"baseline", "candidate"} {
		for k := 1; k <= r.Paired.Rounds; k++ {
			name := fmt.Sprintf("quickstart_TP1_DP1_CTX512_C8_P64_O128_round%d.json", k)
			if _, err := os.Stat(filepath.Join(out, side, name)); err != nil {
				t.Errorf("%s round %d: %v", side, k, err)
			}
			if _, err := os.Stat(filepath.Join(out, side, "logs", fmt.Sprintf("quickstart_TP1_DP1_round%d.log", k))); err != nil {
				t.Errorf("%s round %d log: %v", side, k, err)
			}
		}
		if _, err := os.Stat(filepath.Join(out, side, "summary.json")); err != nil {
			t.Errorf("%s: %v", side, err)
		}
	}
	// The builds alternate A B, B A: the candidate started second in
	// round 1 and first in round 2.
	if i, j := strings.Index(stderr, "round 1 of at most 4: candidate"), strings.Index(stderr, "round 2 of at most 4: candidate"); i < 0 || j < 0 ||
		strings.Index(stderr, "round 1 of at most 4: baseline") > i || strings.Index(stderr, "round 2 of at most 4: baseline") < j {
		t.Errorf("starts not in the order A B, B A:\n%s", stderr)
	}
}

// ab's progress counts the most points it may measure and the most time
// left (never "/0" or a negative estimate), and each server log path it
// prints is the round's log, written, and named in the round's results.
// Without --out its files go to ab/ under the run's output_dir. The
// verdict is not looked at.
func TestABProgressAndLogs(t *testing.T) {
	dir := t.TempDir()
	cfg := abConfig(t, dir, simFast, simFast)
	outputDir := filepath.Join(dir, "results")
	src := strings.Replace(string(mustRead(t, cfg)), "output_dir: ./benchmark_results", "output_dir: "+outputDir, 1)
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without --out, ab writes under the run's output_dir.
	out := filepath.Join(outputDir, "ab")
	code, stdout, stderr := cli(t, nil, "ab", "-c", cfg, "--rounds", "2", "--format", "json")
	if code != ExitOK && code != ExitRegression {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	r := readABReport(t, stdout)
	// Progress counts the most points (4 points, 2 builds, 2 rounds) and
	// the time left at most; each log path printed is a log written, and
	// the one each result names.
	if !regexp.MustCompile(`(?m)^\[point 1 of at most 16\] CTX512 C8 P64 O128$`).MatchString(stderr) ||
		!regexp.MustCompile(`(?m)^\[point 2 of at most 16\] CTX512 C32 P64 O128 \(at most \d+(m\d+)?s left\)$`).MatchString(stderr) ||
		strings.Contains(stderr, "/0]") || strings.Contains(stderr, "ETA -") {
		t.Errorf("progress lines do not count the most points:\n%s", stderr)
	}
	logs := regexp.MustCompile(`(?m)^  log: (.*)$`).FindAllStringSubmatch(stderr, -1)
	if len(logs) != 2*r.Paired.Rounds {
		t.Errorf("%d log paths printed, want one per start (%d)", len(logs), 2*r.Paired.Rounds)
	}
	for _, m := range logs {
		if _, err := os.Stat(m[1]); err != nil || !strings.Contains(m[1], "_round") {
			t.Errorf("log path printed %s: %v, want a round's log that exists", m[1], err)
		}
	}
	f, err := results.Read(filepath.Join(out, "candidate", "quickstart_TP1_DP1_CTX512_C8_P64_O128_round2.json"))
	if err != nil {
		t.Errorf("round 2's result: %v", err)
	} else if got := filepath.Base(f.VllmBench.LogPath); got != "quickstart_TP1_DP1_round2.log" {
		t.Errorf("round 2's result names the log %s, want quickstart_TP1_DP1_round2.log", got)
	}
}

func TestABIdenticalPasses(t *testing.T) {
	dir := t.TempDir()
	cfg := abConfig(t, dir, simFast, simFast)
	// An A/A comparison fails the gate at a rate of up to alpha by design
	// (1-2 % of reports at the default 0.05, stats.Sequential's Monte
	// Carlo): a test that wants a pass judges at 0.001.
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("    gate:\n      alpha: 0.001\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, nil, "ab", "-c", cfg, "--out", filepath.Join(dir, "ab"), "--rounds", "3")
	if code != ExitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Identical builds pass; three rounds on a busy machine may not show
	// every cell within the tolerance, and then the headline says so.
	head, _, _ := strings.Cut(stdout, "\n")
	if !(strings.HasPrefix(head, "✅") || strings.HasPrefix(head, "⚠️ undecided: no regression found")) || !strings.Contains(head, "(paired A/B, ") || !strings.Contains(stdout, "of at most 3") {
		t.Errorf("report not headed as a paired A/B of at most 3 rounds that found no regression:\n%s", stdout)
	}
	if !strings.Contains(stdout, "false-discovery rate 0.001") {
		t.Errorf("the report does not rest on the config's alpha 0.001:\n%s", stdout)
	}
}

func TestABBadInput(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.yaml")
	if err := os.WriteFile(plain, mustRead(t, filepath.Join("..", "..", "examples", "quickstart.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := abConfig(t, dir, simFast, simFast)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no ab section", []string{"-c", plain}, "has an ab section"},
		{"one round", []string{"-c", cfg, "--rounds", "1"}, "--rounds: must be between 2 and 20"},
		{"no config", nil, "-c CONFIG is required"},
		{"bad format", []string{"-c", cfg, "--format", "html"}, "--format: must be markdown, text or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(t, nil, append([]string{"ab", "--out", filepath.Join(dir, "out")}, tt.args...)...)
			if code != ExitInvalid || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, ExitInvalid, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("bad input started a comparison")
	}
}

// A point whose verdicts are settled is not measured again, and a point
// still undecided is. Identical builds, gated on median TPOT at ±90 %, on
// four points: context 512 and 1024, 1 and 64 output tokens. A 1-token
// output has no TPOT, so those points cannot settle before the last round,
// while the 64-token points settle (unchanged, or too noisy to decide)
// after round 2 or 3 even when a busy machine slows one start badly.
// ab.remeasure_settled measures every point in every round.
func TestABSkipsSettledPoints(t *testing.T) {
	const rounds = 4
	for _, remeasure := range []bool{false, true} {
		t.Run(fmt.Sprintf("remeasure_settled %v", remeasure), func(t *testing.T) {
			dir := t.TempDir()
			const sim = `"--sim-speedup", "5", "--sim-load-time", "0.1"`
			cfg := abConfig(t, dir, sim, sim)
			src := string(mustRead(t, cfg))
			for _, cut := range [][2]string{
				{"context_size: [512, 2048]", "context_size: [512, 1024]"}, {"concurrency: [8, 32]", "concurrency: [8]"},
				{"num_prompts: [64]", "num_prompts: [16]"}, {"output_len: [128]", "output_len: [1, 64]"},
			} {
				src = strings.Replace(src, cut[0], cut[1], 1)
			}
			src += fmt.Sprintf("      rounds: %d\n      remeasure_settled: %v\n", rounds, remeasure)
			if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "ab")
			code, stdout, stderr := cli(t, nil, "ab", "-c", cfg, "--out", out, "--tolerance", "0.9", "--metrics", "median_tpot_ms", "--format", "json")
			if code != ExitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			var r struct {
				Points []struct {
					Name   string `json:"name"`
					Rounds int    `json:"rounds"`
				} `json:"points"`
				Paired struct {
					Rounds int `json:"rounds"`
				} `json:"paired"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Points) != 4 || r.Paired.Rounds != rounds {
				t.Fatalf("report (%v): want 4 points after %d rounds:\n%s", err, rounds, stdout)
			}
			got := map[string]int{}
			for _, p := range r.Points {
				got[p.Name] = p.Rounds
				settles := strings.HasSuffix(p.Name, "_O64.json") && !remeasure
				if settles && (p.Rounds < 2 || p.Rounds >= rounds) || !settles && p.Rounds != rounds {
					t.Errorf("%s: measured in %d rounds, want %s\n%s", p.Name, p.Rounds, map[bool]string{true: "2 or 3", false: "4"}[settles], stdout)
				}
			}
			// A round's files are those of the points it measured, on both
			// sides, listed in summary.json; the last round's starts
			// measured the undecided points alone.
			for _, side := range []string{"baseline", "candidate"} {
				sum, err := results.ReadSummary(filepath.Join(out, side))
				if err != nil {
					t.Fatal(err)
				}
				listed := map[string]bool{}
				for _, st := range sum.Points {
					listed[st.File] = true
				}
				for name, n := range got {
					for k := 1; k <= rounds; k++ {
						file := strings.TrimSuffix(name, ".json") + fmt.Sprintf("_round%d.json", k)
						_, err := os.Stat(filepath.Join(out, side, file))
						if (err == nil) != (k <= n) || listed[file] != (k <= n) {
							t.Errorf("%s %s: on disk %v, listed %v; want both %v", side, file, err == nil, listed[file], k <= n)
						}
					}
				}
				for _, a := range sum.Accounting.Servers {
					if want := map[bool]int{false: 2, true: 4}[remeasure]; a.Round == rounds && a.Points != want {
						t.Errorf("%s round %d measured %d points, want %d", side, rounds, a.Points, want)
					}
				}
			}
			line := fmt.Sprintf("round %d of at most %d: baseline build, 2 of 4 points (the others are settled)", rounds, rounds)
			if skipped := strings.Contains(stderr, line); skipped == remeasure {
				t.Errorf("progress says %q: %v, want %v\n%s", line, skipped, !remeasure, stderr)
			}
		})
	}
}
