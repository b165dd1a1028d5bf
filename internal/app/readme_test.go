package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// readmeSample returns the lines of the README's sample output of the quick
// start: the fenced block after the line that says "What you see".
func readmeSample(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "What you see")
	if !ok {
		t.Fatal(`README.md has no "What you see" paragraph before the quick start's sample output`)
	}
	_, block, ok := strings.Cut(after, "\n```\n")
	if !ok {
		t.Fatal("no fenced block after the README's \"What you see\"")
	}
	block, _, _ = strings.Cut(block, "\n```")
	return strings.Split(block, "\n")
}

var (
	startLine = regexp.MustCompile(`starting server: \S+ sim `)
	duration  = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ms|µs|s)\b`)
	number    = regexp.MustCompile(`[-+]?\d+(\.\d+)?`)
	verdict   = regexp.MustCompile(`\b(no regressions|unchanged|regressions?|regressed|improvements?|improved|undecided|not-comparable|new|failed|missing)\b`)
	counts    = regexp.MustCompile(`(N )?V(, (N )?V)*`)
	dashes    = regexp.MustCompile(`-{2,}`)
	spaces    = regexp.MustCompile(`\s+`)
)

// normalize keeps what must not drift in an output line (its words, its
// columns, its order) and drops what differs from run to run: numbers,
// durations, verdicts, the binary's and the output directory's paths, and
// column widths.
func normalize(line, outDir string) string {
	if strings.HasPrefix(line, "✅") || strings.HasPrefix(line, "❌") || strings.HasPrefix(line, "⚠️") {
		return "HEADLINE" // its wording follows the verdict
	}
	line = strings.ReplaceAll(line, outDir, "benchmark_results")
	line = startLine.ReplaceAllString(line, "starting server: vllm-bench sim ")
	line = duration.ReplaceAllString(line, "D")
	line = number.ReplaceAllString(line, "N")
	line = strings.ReplaceAll(line, "<N", "N") // a p-value below the printed precision
	line = strings.NewReplacer("✅", "M", "❌", "M").Replace(line)
	line = verdict.ReplaceAllString(line, "V")
	line = counts.ReplaceAllString(line, "V")
	line = dashes.ReplaceAllString(line, "-")
	return strings.TrimSpace(spaces.ReplaceAllString(line, " "))
}

// lockedBuffer is a buffer that stdout and stderr share, in the order the
// lines were written, as a terminal shows them.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// The README's sample output is the quick start's real output: every line
// of the sample (bar "...", which stands for lines left out) appears in a
// real run of examples/quickstart.yaml, in order, numbers and verdicts
// aside.
func TestReadmeSampleOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the quick start (about a minute)")
	}
	sample := readmeSample(t)
	cfg, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The quick start as it is, on a free port (others may hold 8100).
	port := runTestPort(t)
	path := filepath.Join(dir, "quickstart.yaml")
	if err := os.WriteFile(path, bytes.Replace(cfg, []byte("port: 8100"), []byte("port: "+strconv.Itoa(port)), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "benchmark_results")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var term lockedBuffer
	code := Main(context.Background(), []string{"run", "-c", path, "--out", out, "--baselines", filepath.Join("..", "..", "baselines")},
		Env{Getenv: os.Getenv, Stdout: &term, Stderr: &term, Executable: exe})
	real := strings.Split(term.b.String(), "\n")
	if code != ExitOK && code != ExitRegression {
		t.Fatalf("quick start: exit %d\n%s", code, term.b.String())
	}
	next := 0
	for _, want := range sample {
		w := normalize(want, out)
		if w == "" || w == "..." || w == "…" {
			continue
		}
		found := false
		for next < len(real) {
			got := normalize(real[next], out)
			next++
			if got == w {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("README sample line %q (normalized %q) is not in the quick start's output, in order:\n%s", want, w, term.b.String())
		}
	}
	checkNoSim(t, port)
}

func TestNormalize(t *testing.T) {
	same := [][2]string{
		{"[point 2/4] CTX512 C32 P64 O128 (ETA 29s)", "[point 2/4] CTX512 C32 P64 O128 (ETA 1m5s)"},
		{"✅ 4 points unchanged", "❌ 1 regression: quickstart TP1 · CTX512 C8 · median TPOT +17.8%"},
		{"4 points: 4 unchanged.", "4 points: 2 regressed, 1 improved, 1 unchanged."},
		{"| C8 | median_ttft_ms | 167.1 | +0.6% | 0.9216 | unchanged |", "| C8 | median_ttft_ms | 150.4 | -10.0% | <0.0001 | improvement |"},
		{"  log: benchmark_results/logs/q.log", "  log: /tmp/x/out/logs/q.log"},
	}
	for _, p := range same {
		if a, b := normalize(p[0], "/tmp/x/out"), normalize(p[1], "/tmp/x/out"); a != b {
			t.Errorf("%q and %q normalize to %q and %q", p[0], p[1], a, b)
		}
	}
	if normalize("[point 2/4] CTX512", "") == normalize("point 2 of 4: CTX512", "") {
		t.Error("a reworded line normalizes like the original")
	}
}

// TestReadmeGoVersionAndExitCodes checks that the README asks for the Go
// version go.mod requires, and that its exit codes say what `go run` does
// to them (every non-zero code becomes 1) and show the built binary.
func TestReadmeGoVersionAndExitCodes(t *testing.T) {
	readme := string(mustRead(t, filepath.Join("..", "..", "README.md")))
	mod := string(mustRead(t, filepath.Join("..", "..", "go.mod")))
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if want := "needs only Go " + m[1] + " or later"; !strings.Contains(readme, want) {
		t.Errorf("README does not say %q (go.mod's go line)", want)
	}
	for _, v := range regexp.MustCompile(`\bGo (\d+\.\d+(\.\d+)?)\+`).FindAllStringSubmatch(readme, -1) {
		if v[1] != m[1] {
			t.Errorf("README asks for Go %s+, go.mod for %s", v[1], m[1])
		}
	}
	_, codes, ok := strings.Cut(readme, "Exit codes, everywhere:")
	if !ok {
		t.Fatal("README has no exit-code paragraph")
	}
	codes, _, _ = strings.Cut(codes, "\n## ")
	for _, want := range []string{"Under `go run` every non-zero code arrives as **1**", "go build -o vllm-bench ./cmd/vllm-bench", "./vllm-bench run"} {
		if !strings.Contains(codes, want) {
			t.Errorf("README's exit codes lack %q", want)
		}
	}
}
