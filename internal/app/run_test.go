package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// End-to-end tests of `vllm-bench run`: every server is a real simulator
// process (this test binary as `vllm-bench sim`), sped up so that a test
// takes a second or two.

// simRun is one run of a test config on the simulator. The bench lists are
// YAML flow sequences such as "[64]".
type simRun struct {
	name  string
	port  int
	out   string
	pairs string   // tp_dp_pairs as a YAML flow sequence; default tp1 dp1
	extra []string // simulator flags after --sim-speedup
	speed string   // --sim-speedup; default 10
	ctx   string
	conc  string
	nump  string
	olen  string
	stall string // bench.stall_timeout; default left out
	cache string // serve.cache_dir; default left out
	bench string // further bench keys, e.g. "precision: 0.1"; default none
}

// writeRunConfig writes the runs into DIR/NAME and returns its path.
func writeRunConfig(t *testing.T, dir, name string, runs ...simRun) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("runs:\n")
	for _, r := range runs {
		or := func(v, def string) string {
			if v == "" {
				return def
			}
			return v
		}
		args := append([]string{"--sim-speedup", or(r.speed, "10")}, r.extra...)
		cacheLine := ""
		if r.cache != "" {
			cacheLine = "      cache_dir: " + strconv.Quote(r.cache) + "\n"
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		fmt.Fprintf(&b, `  - name: %s
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: %d
      max_model_len: 4096
      startup_timeout: 1m
      tp_dp_pairs: %s
      extra_args: [%s]
%s    bench:
      output_dir: %s
      context_size: %s
      concurrency: %s
      num_prompts: %s
      output_len: %s
`, r.name, r.port, or(r.pairs, "[{tp: 1, dp: 1}]"), strings.Join(quoted, ", "), cacheLine, strconv.Quote(r.out),
			or(r.ctx, "[64]"), or(r.conc, "[4]"), or(r.nump, "[8]"), or(r.olen, "[8]"))
		if r.stall != "" {
			fmt.Fprintf(&b, "      stall_timeout: %s\n", r.stall)
		}
		if r.bench != "" {
			fmt.Fprintf(&b, "      %s\n", r.bench)
		}

	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runTestPort returns a TCP port that was free a moment ago.
func runTestPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// plannedFiles returns the result paths `plan --format json` lists, in
// plan order.
func plannedFiles(t *testing.T, args ...string) []string {
	t.Helper()
	code, stdout, stderr := cli(t, nil, append([]string{"plan", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	var plan struct {
		Servers []struct {
			OutputDir string   `json:"output_dir"`
			Results   []string `json:"results"`
		} `json:"servers"`
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("plan: %v\n%s", err, stdout)
	}
	var paths []string
	for _, s := range plan.Servers {
		for _, r := range s.Results {
			paths = append(paths, filepath.Join(s.OutputDir, r))
		}
	}
	return paths
}

// readSummaryT reads DIR/summary.json.
func readSummaryT(t *testing.T, dir string) *results.Summary {
	t.Helper()
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// statusByFile maps summary.json's points by file name to their status.
func statusByFile(s *results.Summary) map[string]string {
	m := map[string]string{}
	for _, p := range s.Points {
		m[p.File] = p.Status
	}
	return m
}

// resultNames lists the .json files of dir other than summary.json,
// sorted.
func resultNames(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		if filepath.Base(p) != "summary.json" {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	return names
}

// baseNames returns the sorted base names of paths.
func baseNames(paths []string) []string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names
}

// checkComplete fails unless path is a complete, successful result of
// the given run.
func checkComplete(t *testing.T, path, run string) *results.File {
	t.Helper()
	f, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	m := f.VllmBench
	if f.Completed != m.Point.NumPrompts || f.Completed == 0 || f.Failed != 0 || m.Error != "" {
		t.Errorf("%s: completed %d, failed %d of %d prompts, error %q", filepath.Base(path), f.Completed, f.Failed, m.Point.NumPrompts, m.Error)
	}
	if m.Run != run || m.TP < 1 || m.DP < 1 || m.PP < 1 || m.Engine != "sim" || m.Point.Concurrency < 1 {
		t.Errorf("%s: vllm_bench run %q engine %q tp %d dp %d pp %d point %+v", filepath.Base(path), m.Run, m.Engine, m.TP, m.DP, m.PP, m.Point)
	}
	if !complete(t, path) {
		t.Errorf("%s: not complete for --resume", filepath.Base(path))
	}
	return f
}

// simProcesses returns the pids of simulator processes started for port.
func simProcesses(t *testing.T, port int) []int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	want := "\x00sim\x00"
	portArg := "\x00--port\x00" + strconv.Itoa(port) + "\x00"
	var pids []int
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(data, []byte(want)) || !bytes.Contains(data, []byte(portArg)) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}

func checkNoSim(t *testing.T, port int) {
	t.Helper()
	if pids := simProcesses(t, port); len(pids) > 0 {
		t.Errorf("simulator processes left for port %d: %v", port, pids)
	}
}

// tableRows counts the lines of the run table that name a server.
func tableRows(stdout, run string) int {
	n := 0
	for _, line := range strings.Split(stdout, "\n") {
		// Warnings under the table (a saturated client) name the row too.
		if strings.Contains(line, run+" TP") && !strings.HasPrefix(line, "warning: ") {
			n++
		}
	}
	return n
}

func TestRunWritesPlannedFiles(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "files", port: port, out: out, conc: "[1, 4]", olen: "[8, 16]"})
	planned := plannedFiles(t, "-c", cfg)
	if len(planned) != 4 {
		t.Fatalf("plan lists %d files, want 4: %v", len(planned), planned)
	}

	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	for _, p := range planned {
		checkComplete(t, p, "files")
	}
	if got, want := resultNames(t, out), baseNames(planned); !slices.Equal(got, want) {
		t.Errorf("result files %v, want the planned %v", got, want)
	}
	sum := readSummaryT(t, out)
	if len(sum.Points) != len(planned) {
		t.Errorf("summary.json lists %d points, want %d", len(sum.Points), len(planned))
	}
	for i, p := range sum.Points {
		if i < len(planned) && p.File != filepath.Base(planned[i]) {
			t.Errorf("summary point %d is %s, want %s (plan order)", i, p.File, filepath.Base(planned[i]))
		}
		if p.Status != "ok" || p.Completed != 8 || p.Failed != 0 {
			t.Errorf("summary point %s: %+v, want ok with 8 completed", p.File, p)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(out, "logs", "*.log"))
	if len(logs) != 1 || filepath.Base(logs[0]) != "files_TP1_DP1.log" {
		t.Errorf("logs %v, want one files_TP1_DP1.log", logs)
	}
	if n := tableRows(stdout, "files"); n != 4 {
		t.Errorf("table has %d rows, want 4:\n%s", n, stdout)
	}
	checkNoSim(t, port)
}

func TestRunTwoLayouts(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	// Long prompts make a step's cost grow with the batch, so median TPOT
	// at concurrency 16 is several times that at 1, far beyond jitter.
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{
		name: "layouts", port: port, out: out, speed: "5",
		pairs: "[{tp: 1, dp: 1}, {tp: 2, dp: 1}]", ctx: "[2048]", conc: "[1, 16]", nump: "[16]", olen: "[16]",
	})
	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	for _, stem := range []string{"layouts_TP1_DP1", "layouts_TP2_DP1"} {
		log, err := os.ReadFile(filepath.Join(out, "logs", stem+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(log), "=== vllm-bench: starting "); n != 1 {
			t.Errorf("%s.log records %d server starts, want 1", stem, n)
		}
		c1 := checkComplete(t, filepath.Join(out, stem+"_CTX2048_C1_P16_O16.json"), "layouts")
		c16 := checkComplete(t, filepath.Join(out, stem+"_CTX2048_C16_P16_O16.json"), "layouts")
		if !(c16.MedianTPOTMs > c1.MedianTPOTMs) {
			t.Errorf("%s: median TPOT %.3f ms at concurrency 16, %.3f ms at 1; want it to grow", stem, c16.MedianTPOTMs, c1.MedianTPOTMs)
		}
	}
	if logs, _ := filepath.Glob(filepath.Join(out, "logs", "*.log")); len(logs) != 2 {
		t.Errorf("logs %v, want 2", logs)
	}
	if n := tableRows(stdout, "layouts"); n != 4 {
		t.Errorf("table has %d rows, want 4:\n%s", n, stdout)
	}
	checkNoSim(t, port)

	// summary.json accounts for each start: TP2 holds two GPUs. (A start
	// may be warm: the test binary's servers share one compile cache.)
	acc := readSummaryT(t, out).Accounting
	if acc == nil || len(acc.Servers) != 2 {
		t.Fatalf("summary.json accounting %+v, want two server starts", acc)
	}
	for i, want := range []struct {
		server string
		gpus   int
	}{{"layouts_TP1_DP1", 1}, {"layouts_TP2_DP1", 2}} {
		a := acc.Servers[i]
		if a.Server != want.server || a.GPUs != want.gpus || !a.Started || a.Points != 2 {
			t.Errorf("account %d: %+v, want %s on %d GPUs, started, 2 points", i, a, want.server, want.gpus)
		}
		parts := a.StartS + a.WarmupS + a.MeasuringS + a.StoppingS + a.OtherS
		if a.StartS <= 0 || a.MeasuringS <= 0 || a.StoppingS <= 0 || math.Abs(parts-a.HeldS) > 0.003 {
			t.Errorf("account %s: start %v measuring %v stopping %v s, want each > 0; phases add to %v s, held %v s",
				a.Server, a.StartS, a.MeasuringS, a.StoppingS, parts, a.HeldS)
		}
		if math.Abs(a.GPUSeconds-a.HeldS*float64(a.GPUs)) > 0.001 {
			t.Errorf("account %s: %v GPU-seconds, want held %v s x %d GPUs", a.Server, a.GPUSeconds, a.HeldS, a.GPUs)
		}
	}
	if tot := acc.Totals; tot.Starts != 2 || tot.Points != 4 || math.Abs(tot.GPUSeconds-acc.Servers[0].GPUSeconds-acc.Servers[1].GPUSeconds) > 0.001 {
		t.Errorf("totals %+v, want 2 starts, 4 points and the starts' GPU-seconds", tot)
	}
	if !regexp.MustCompile(`(?m)^vllm-bench: GPU time [0-9.]+s: 2 starts [0-9.]+s( \(\d warm\))?, .*measuring [0-9.]+s`).MatchString(stderr) {
		t.Errorf("no GPU-time line among the last lines:\n%s", stderr)
	}
}

func TestRunServerFailsToStart(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "nostart", port: port, out: out, conc: "[1, 4]", extra: []string{"--sim-fail-start"}})
	planned := plannedFiles(t, "-c", cfg)
	// A result of an earlier sweep must not survive to stand for the point.
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planned[0], []byte(`{"completed": 8}`), 0o644); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra {
		t.Fatalf("run: exit %d, want %d\n%s", code, ExitInfra, stderr)
	}
	logPath := filepath.Join(out, "logs", "nostart_TP1_DP1.log")
	for _, want := range []string{"exited during startup", logPath, "CUDA out of memory"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not quote %q:\n%s", want, stderr)
		}
	}
	for _, p := range planned {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s written for a server that never started", filepath.Base(p))
		}
		f, err := results.Read(failedPath(p))
		if err != nil {
			t.Error(err)
			continue
		}
		m := f.VllmBench
		if m.Error == "" || !strings.Contains(strings.Join(m.LogTail, "\n"), "CUDA out of memory") {
			t.Errorf("%s: error %q, log_tail %q", filepath.Base(failedPath(p)), m.Error, m.LogTail)
		}
		if f.Completed != 0 || f.Failed != m.Point.NumPrompts || m.Run != "nostart" || m.TP != 1 {
			t.Errorf("%s: completed %d failed %d run %q tp %d", filepath.Base(failedPath(p)), f.Completed, f.Failed, m.Run, m.TP)
		}
		if complete(t, failedPath(p)) {
			t.Errorf("%s counts as complete for --resume", filepath.Base(failedPath(p)))
		}
	}
	for file, status := range statusByFile(readSummaryT(t, out)) {
		if status != "failed" {
			t.Errorf("summary: %s is %s, want failed", file, status)
		}
	}
	checkNoSim(t, port)
}

func TestRunServerCrashesMidSweep(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	// The first run's server dies when the 20th request arrives: in its
	// second point, after the first point's 16 requests were measured.
	cfg := writeRunConfig(t, dir, "c.yaml",
		simRun{name: "crash", port: port, out: out, nump: "[16, 32]", extra: []string{"--sim-crash-after", "20"}},
		simRun{name: "after", port: port, out: out, nump: "[16, 32]"},
	)
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra {
		t.Fatalf("run: exit %d, want %d\n%s", code, ExitInfra, stderr)
	}
	checkComplete(t, filepath.Join(out, "crash_TP1_DP1_CTX64_C4_P16_O8.json"), "crash")
	crashed := filepath.Join(out, "crash_TP1_DP1_CTX64_C4_P32_O8.json")
	if _, err := os.Stat(crashed); err == nil {
		t.Errorf("%s written as a result although the server died during it", filepath.Base(crashed))
	}
	f, err := results.Read(failedPath(crashed))
	if err != nil {
		t.Fatalf("the crash is not recorded: %v\n%s", err, stderr)
	}
	if !strings.Contains(f.VllmBench.Error, "server exited") || !strings.Contains(strings.Join(f.VllmBench.LogTail, "\n"), "--sim-crash-after") {
		t.Errorf("%s: error %q, log_tail %q", filepath.Base(failedPath(crashed)), f.VllmBench.Error, f.VllmBench.LogTail)
	}
	// The next configuration still runs.
	checkComplete(t, filepath.Join(out, "after_TP1_DP1_CTX64_C4_P16_O8.json"), "after")
	checkComplete(t, filepath.Join(out, "after_TP1_DP1_CTX64_C4_P32_O8.json"), "after")
	want := map[string]string{
		"crash_TP1_DP1_CTX64_C4_P16_O8.json":        "ok",
		"crash_TP1_DP1_CTX64_C4_P32_O8.failed.json": "failed",
		"after_TP1_DP1_CTX64_C4_P16_O8.json":        "ok",
		"after_TP1_DP1_CTX64_C4_P32_O8.json":        "ok",
	}
	if got := statusByFile(readSummaryT(t, out)); !mapsEqual(got, want) {
		t.Errorf("summary %v, want %v", got, want)
	}
	if !strings.Contains(stderr, "1 server configuration failed") {
		t.Errorf("stderr does not sum up the failure:\n%s", stderr)
	}
	checkNoSim(t, port)
}

func TestRunServerStalls(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	// The first run's simulator stops answering anything once its 20th
	// request arrives, in the second point, with the default
	// request_timeout (10m): the stall timeout ends that point, fails the
	// third with the same cause, and the next configuration runs.
	cfg := writeRunConfig(t, dir, "c.yaml",
		simRun{name: "hang", port: port, out: out, nump: "[16, 32, 48]", extra: []string{"--sim-hang-after", "20"}, stall: "2s"},
		simRun{name: "after", port: port, out: out, nump: "[16]"},
	)
	start := time.Now()
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra {
		t.Fatalf("run: exit %d, want %d\n%s", code, ExitInfra, stderr)
	}
	if d := time.Since(start); d > 2*time.Minute {
		t.Errorf("a hung server kept the run for %v", d)
	}
	checkComplete(t, filepath.Join(out, "hang_TP1_DP1_CTX64_C4_P16_O8.json"), "hang")
	for _, name := range []string{"hang_TP1_DP1_CTX64_C4_P32_O8.json", "hang_TP1_DP1_CTX64_C4_P48_O8.json"} {
		f, err := results.Read(failedPath(filepath.Join(out, name)))
		if err != nil {
			t.Fatalf("the stall is not recorded for %s: %v\n%s", name, err, stderr)
		}
		if !strings.HasPrefix(f.VllmBench.Error, "server stalled: no token for 2s; /health ") {
			t.Errorf("%s: error %q, want the stall first", filepath.Base(failedPath(name)), f.VllmBench.Error)
		}
	}
	checkComplete(t, filepath.Join(out, "after_TP1_DP1_CTX64_C4_P16_O8.json"), "after")
	if !strings.Contains(stderr, "server stalled: no token for 2s") {
		t.Errorf("stderr does not name the stall:\n%s", stderr)
	}
	checkNoSim(t, port)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRunPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "busy", port: port, out: out})
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra {
		t.Fatalf("run: exit %d, want %d\n%s", code, ExitInfra, stderr)
	}
	if want := fmt.Sprintf("port %d is already in use", port); !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if logs, _ := filepath.Glob(filepath.Join(out, "logs", "*")); len(logs) > 0 {
		t.Errorf("a server was started: %v", logs)
	}
	if got := resultNames(t, out); len(got) != 1 || !strings.HasSuffix(got[0], ".failed.json") {
		t.Errorf("files %v, want one .failed.json", got)
	}
	checkNoSim(t, port)
}

func TestRunResume(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "resume", port: port, out: out, conc: "[1, 4]", olen: "[8, 16]"})
	planned := plannedFiles(t, "-c", cfg)
	if code, _, stderr := cli(t, nil, "run", "-c", cfg); code != ExitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	missing := planned[2]
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	type kept struct {
		data  []byte
		mtime time.Time
	}
	before := map[string]kept{}
	for _, p := range planned {
		if p == missing {
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		before[p] = kept{data, info.ModTime()}
	}

	code, stdout, stderr := cli(t, nil, "run", "-c", cfg, "--resume")
	if code != ExitOK {
		t.Fatalf("run --resume: exit %d\n%s", code, stderr)
	}
	checkComplete(t, missing, "resume")
	for p, k := range before {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		if !bytes.Equal(data, k.data) || !info.ModTime().Equal(k.mtime) {
			t.Errorf("%s was rewritten by --resume", filepath.Base(p))
		}
	}
	statuses := statusByFile(readSummaryT(t, out))
	for _, p := range planned {
		want := "skipped"
		if p == missing {
			want = "ok"
		}
		if got := statuses[filepath.Base(p)]; got != want {
			t.Errorf("summary: %s is %q, want %q", filepath.Base(p), got, want)
		}
	}
	if n := tableRows(stdout, "resume"); n != 4 {
		t.Errorf("table has %d rows, want 4 (3 kept, 1 measured):\n%s", n, stdout)
	}

	// Other load settings (here a warmup) make every kept file stale.
	edited := strings.Replace(string(mustRead(t, cfg)), "    bench:\n", "    bench:\n      warmup_prompts: 2\n", 1)
	if err := os.WriteFile(cfg, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, nil, "run", "-c", cfg, "--resume")
	if code != ExitOK || strings.Count(stderr, "was measured with other settings") != len(planned) {
		t.Errorf("resume after a settings change: exit %d, want every point measured again:\n%s", code, stderr)
	}
	checkNoSim(t, port)
}

func TestRunInvalidInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("runs:\n  - name: x\n    bogus_key: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeRunConfig(t, dir, "good.yaml", simRun{name: "ok", port: runTestPort(t), out: filepath.Join(dir, "results")})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "-c", bad}, "bad.yaml"},
		{[]string{"run", "-c", filepath.Join(dir, "absent.yaml")}, "absent.yaml"},
		{[]string{"run"}, "-c CONFIG"},
		{[]string{"run", "-c", good, "--engine", "bogus"}, "--engine"},
		{[]string{"run", "-c", good, "--shard", "3/2"}, "--shard"},
		{[]string{"run", "-c", good, "--run", "nope"}, "--run"},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, nil, tt.args...)
		if code != ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %q", tt.args, code, stderr, ExitInvalid, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); err == nil {
		t.Error("invalid input created the output directory")
	}
}

func TestRunInterrupt(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	// The first point takes a fraction of a second, the second many
	// seconds: SIGINT arrives while it runs.
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "intr", port: port, out: out, speed: "5", nump: "[8]", olen: "[8, 3000]"})
	first := filepath.Join(out, "intr_TP1_DP1_CTX64_C4_P8_O8.json")
	second := filepath.Join(out, "intr_TP1_DP1_CTX64_C4_P8_O3000.json")

	c := startChild(t, "run", "-c", cfg)
	c.waitUntil(t, func() bool {
		_, err := os.Stat(first)
		return err == nil
	}, 20*time.Millisecond, 60*time.Second, "first result")
	if code := c.interrupt(t, 30*time.Second); code != ExitInfra {
		t.Errorf("interrupted run: exit %d, want %d\n%s", code, ExitInfra, &c.stderr)
	}
	output := c.stdout.String() + c.stderr.String()

	if !strings.Contains(output, "interrupted") {
		t.Errorf("output does not say the run was interrupted:\n%s", output)
	}
	checkComplete(t, first, "intr")
	for _, p := range []string{second, failedPath(second)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s written for the interrupted point", filepath.Base(p))
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	want := map[string]string{filepath.Base(first): "ok", filepath.Base(second): "not-run"}
	if got := statusByFile(readSummaryT(t, out)); !mapsEqual(got, want) {
		t.Errorf("summary %v, want %v", got, want)
	}
	checkNoSim(t, port)
}

func TestRunEveryRequestFails(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "errors", port: port, out: out, conc: "[2, 4]", extra: []string{"--sim-error-rate", "1"}})
	planned := plannedFiles(t, "-c", cfg)

	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra || !strings.Contains(stderr, "2 points of 2 failed") {
		t.Fatalf("run: exit %d, want %d with both points failed\n%s", code, ExitInfra, stderr)
	}
	// Both points were tried on the live server; each is a failed point
	// that keeps the server's error and is measured again on --resume.
	for _, p := range planned {
		f, err := results.Read(failedPath(p))
		if err != nil {
			t.Fatal(err)
		}
		if f.Completed != 0 || f.Failed != 8 || !strings.Contains(f.VllmBench.Error, "every request failed") || len(f.Errors) != 8 || f.Errors[0] == "" {
			t.Errorf("%s: completed %d failed %d error %q", filepath.Base(p), f.Completed, f.Failed, f.VllmBench.Error)
		}
		if complete(t, failedPath(p)) {
			t.Errorf("%s counts as complete for --resume", filepath.Base(p))
		}
	}
	checkNoSim(t, port)
}

func TestRunShardWithoutServers(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "one", port: runTestPort(t), out: out})
	// One server, two shards: shard 2/2 has nothing to run but must still
	// leave a summary for merge.
	code, _, stderr := cli(t, nil, "run", "-c", cfg, "--shard", "2/2", "--out", filepath.Join(dir, "s2"))
	if code != ExitOK {
		t.Fatalf("empty shard: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = cli(t, nil, "run", "-c", cfg, "--shard", "1/2", "--out", filepath.Join(dir, "s1")); code != ExitOK {
		t.Fatalf("shard 1/2: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := cli(t, nil, "merge", "--out", filepath.Join(dir, "merged"), filepath.Join(dir, "s1"), filepath.Join(dir, "s2"))
	if code != ExitOK || !strings.Contains(stdout, "merged 1 result file from 2 shards") {
		t.Errorf("merge: exit %d\n%s%s", code, stdout, stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Two runs of one config sharing an output directory, run one at a time
// with --run: the summary keeps both, so compare and baseline update see
// both; a point left not-run is not judged from an older file.
func TestRunOneRunAtATimeSharesTheSummary(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml",
		simRun{name: "first", port: runTestPort(t), out: out},
		simRun{name: "second", port: runTestPort(t), out: out})
	for _, run := range []string{"first", "second"} {
		if code, _, stderr := cli(t, nil, "run", "-c", cfg, "--run", run); code != ExitOK {
			t.Fatalf("run --run %s: exit %d\n%s", run, code, stderr)
		}
	}
	statuses := statusByFile(readSummaryT(t, out))
	if len(statuses) != 2 || statuses["first_TP1_DP1_CTX64_C4_P8_O8.json"] != "ok" || statuses["second_TP1_DP1_CTX64_C4_P8_O8.json"] != "ok" {
		t.Errorf("summary after two --run invocations: %v", statuses)
	}
	code, stdout, _ := cli(t, nil, "baseline", "update", "--results", out, "--baselines", filepath.Join(dir, "baselines"))
	if code != ExitOK || !strings.Contains(stdout, "promoted 2 points") {
		t.Errorf("baseline update: exit %d: %s", code, stdout)
	}
}

// failedPath is where the runner records a point that could not be measured.
func failedPath(resultPath string) string {
	return strings.TrimSuffix(resultPath, ".json") + results.FailedSuffix
}

// complete reports whether path holds a complete result file (what
// --resume skips).
func complete(t *testing.T, path string) bool {
	t.Helper()
	f, err := results.Read(path)
	return err == nil && f.Complete()
}

// A point with some failed requests is a failed point for run as for
// compare: exit 1, its own status in summary.json, and the count in the
// table's failed column.
func TestRunSomeRequestsFail(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "flaky", port: port, out: out, nump: "[40]", extra: []string{"--sim-error-rate", "0.2", "--seed", "3"}})
	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitRegression || !strings.Contains(stderr, "1 point had failed requests") {
		t.Fatalf("run: exit %d, want %d naming the point\n%s", code, ExitRegression, stderr)
	}
	sum := readSummaryT(t, out)
	if len(sum.Points) != 1 || sum.Points[0].Status != results.StatusRequestsFailed || sum.Points[0].Failed == 0 {
		t.Errorf("summary: %+v", sum.Points)
	}
	// The failed count stands in its own column, apart from any note.
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "flaky TP1") && !strings.HasPrefix(line, "warning: ") {
			fields := strings.Fields(line)
			if last := fields[len(fields)-1]; last != strconv.Itoa(sum.Points[0].Failed) {
				t.Errorf("row %q ends with %q, want the failed count %d", line, last, sum.Points[0].Failed)
			}
		}
	}
	checkNoSim(t, port)
}

// An output directory that cannot be written stops run before any server
// starts: exit 2, one line with the path.
func TestRunUnwritableOutput(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := runTestPort(t)
	for _, out := range []string{blocker, filepath.Join(blocker, "sub")} {
		cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "unwritable", port: port, out: out})
		code, _, stderr := cli(t, nil, "run", "-c", cfg)
		if code != ExitInvalid || !strings.Contains(stderr, fmt.Sprintf("%q", out)) || strings.Contains(stderr, "starting server") {
			t.Errorf("output %s: exit %d, stderr %q; want %d naming the path before any server starts", out, code, stderr, ExitInvalid)
		}
	}
	checkNoSim(t, port)
}

// Progress says which point of how many, with an estimate once a point
// has finished; run ends with where the results are.
func TestRunProgressLines(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "progress", port: port, out: out, conc: "[1, 4]"})
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\[point 1/2\] CTX64 C1 P8 O8$`),
		regexp.MustCompile(`(?m)^\[point 2/2\] CTX64 C4 P8 O8 \(ETA \d+s\)$`),
		regexp.MustCompile(`(?m)^server progress_TP1_DP1 stopped in \d+\.\ds$`),
		regexp.MustCompile(`(?m)^vllm-bench: results in ` + regexp.QuoteMeta(out) + `, index in ` + regexp.QuoteMeta(filepath.Join(out, "summary.json")) + `$`),
	} {
		if !want.MatchString(stderr) {
			t.Errorf("stderr lacks %s:\n%s", want, stderr)
		}
	}
	checkNoSim(t, port)
}

// TestRunSecondStartIsWarm runs the same config twice: the first start
// compiles into serve.cache_dir, the second finds it warm and the simulator
// loads for its warm time.
func TestRunSecondStartIsWarm(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out, cache := filepath.Join(dir, "results"), filepath.Join(dir, "cache")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{
		name: "warm", port: port, out: out, cache: cache,
		extra: []string{"--sim-load-time", "20", "--sim-warm-load-time", "2"},
	})
	var starts []results.ServerAccount
	for i, want := range []bool{false, true} {
		code, _, stderr := cli(t, nil, "run", "-c", cfg)
		if code != ExitOK {
			t.Fatalf("run %d: exit %d\n%s", i+1, code, stderr)
		}
		acc := readSummaryT(t, out).Accounting
		if acc == nil || len(acc.Servers) != 1 {
			t.Fatalf("run %d: accounting %+v, want one start", i+1, acc)
		}
		a := acc.Servers[0]
		if a.CacheWarm == nil || *a.CacheWarm != want || a.CacheDir != cache {
			t.Errorf("run %d: cache warm %v in %q, want %v in %q", i+1, a.CacheWarm, a.CacheDir, want, cache)
		}
		if warm := acc.Totals.WarmStarts == 1; warm != want {
			t.Errorf("run %d: %d warm starts in the totals, want warm %v", i+1, acc.Totals.WarmStarts, want)
		}
		f := checkComplete(t, filepath.Join(out, "warm_TP1_DP1_CTX64_C4_P8_O8.json"), "warm")
		if w := f.VllmBench.CacheWarm; w == nil || *w != want {
			t.Errorf("run %d: result file says cache warm %v, want %v", i+1, w, want)
		}
		log := string(mustRead(t, filepath.Join(out, "logs", "warm_TP1_DP1.log")))
		if loaded := strings.Contains(log, "Directly load the compiled graph(s)"); loaded != want {
			t.Errorf("run %d: the server loaded compiled graphs: %v, want %v", i+1, loaded, want)
		}
		if wantLine := map[bool]string{false: "1 start", true: "1 start [0-9.]+s \\(1 warm\\)"}[want]; !regexp.MustCompile("GPU time [0-9.]+s: " + wantLine).MatchString(stderr) {
			t.Errorf("run %d: want the GPU-time line to say %q:\n%s", i+1, wantLine, stderr)
		}
		starts = append(starts, a)
	}
	// 2 s against 0.2 s of simulated loading: far beyond a loaded
	// machine's jitter in spawning the process.
	if !(starts[1].StartS < starts[0].StartS-1) {
		t.Errorf("warm start took %.2fs, cold %.2fs; want the warm one shorter by the 1.8 s the cache saves", starts[1].StartS, starts[0].StartS)
	}
	checkNoSim(t, port)
}

// TestRunPrecisionStopsEarly runs a point of 400 prompts with a loose
// bench.precision: its medians settle long before, the round stops sending,
// the file keeps P400 in its name and says what was sent and why, and
// --resume keeps it as complete.
func TestRunPrecisionStopsEarly(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{
		name: "early", port: port, out: out, nump: "[400]", bench: "precision: 0.25\n      min_prompts: 40",
	})
	code, stdout, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	path := filepath.Join(out, "early_TP1_DP1_CTX64_C4_P400_O8.json")
	f, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Complete() || f.Failed != 0 {
		t.Errorf("complete %v with %d failed; want a complete file of what was sent", f.Complete(), f.Failed)
	}
	es := f.VllmBench.EarlyStop
	if es == nil || len(es.Sent) != 1 || len(es.Reasons) != 1 {
		t.Fatalf("early_stop %+v, want one round's record", es)
	}
	if es.Sent[0] < 40 || es.Sent[0] >= 400 || f.Completed+f.Failed != es.Sent[0] || f.NumPrompts != 400 {
		t.Errorf("sent %d, completed %d + failed %d, num_prompts %d; want 40 <= sent < 400, all recorded, num_prompts the cap",
			es.Sent[0], f.Completed, f.Failed, f.NumPrompts)
	}
	if !strings.HasPrefix(es.Reasons[0], "settled: median_ttft_ms ±") || !slices.Equal(es.Metrics, []string{"median_ttft_ms", "median_tpot_ms", "output_throughput"}) {
		t.Errorf("reason %q, metrics %q; want the gate's default latency medians settled", es.Reasons[0], es.Metrics)
	}
	if !strings.Contains(stdout, fmt.Sprintf("settled: %d of 400 sent", es.Sent[0])) {
		t.Errorf("the table does not say the point settled:\n%s", stdout)
	}
	if !strings.Contains(stderr, fmt.Sprintf("requests: %d of 400 sent; settled: ", es.Sent[0])) {
		t.Errorf("no progress line for the early stop:\n%s", stderr)
	}
	if st := statusByFile(readSummaryT(t, out))[filepath.Base(path)]; st != "ok" {
		t.Errorf("summary status %q, want ok", st)
	}
	code, stdout, stderr = cli(t, nil, "run", "-c", cfg, "--resume")
	if code != ExitOK || !strings.Contains(stdout, "kept") {
		t.Errorf("--resume: exit %d; want the early-stopped point kept as complete:\n%s\n%s", code, stdout, stderr)
	}
	checkNoSim(t, port)
}

// TestRunPrecisionAuto stops a point at each median's run-to-run CV: with
// no baselines, the gate's prior (here a loose 30 % for TTFT and 25 % for
// TPOT), recorded per median in the file.
func TestRunPrecisionAuto(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{
		name: "auto", port: port, out: out, nump: "[400]",
		bench: "precision: auto\n      min_prompts: 40\n    gate:\n      prior_cv: {median_ttft_ms: 0.3, median_tpot_ms: 0.25}",
	})
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	f, err := results.Read(filepath.Join(out, "auto_TP1_DP1_CTX64_C4_P400_O8.json"))
	if err != nil {
		t.Fatal(err)
	}
	es := f.VllmBench.EarlyStop
	if es == nil || !es.Auto || es.Precision != 0 || len(es.Sent) != 1 {
		t.Fatalf("early_stop %+v, want auto's record of one round", es)
	}
	if want := map[string]float64{"median_ttft_ms": 0.3, "median_tpot_ms": 0.25, "output_throughput": gate.PriorCVThroughput}; !maps.Equal(es.Targets, want) {
		t.Errorf("targets %v, want the priors %v", es.Targets, want)
	}
	if es.Sent[0] < 40 || es.Sent[0] >= 400 {
		t.Errorf("sent %d of 400, want it stopped after at least 40", es.Sent[0])
	}
	if !strings.Contains(es.Reasons[0], "targets median_ttft_ms ±30%, median_tpot_ms ±25%, output_throughput ±3%") {
		t.Errorf("reason %q does not name the targets", es.Reasons[0])
	}
	checkNoSim(t, port)
}

// A summary.json that cannot be written (here a directory holds its name)
// is said so in the last lines, which then name no index, and fails the run.
func TestRunWithoutAnIndexSaysSo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	if err := os.MkdirAll(filepath.Join(out, results.SummaryName, "blocker"), 0o755); err != nil {
		t.Fatal(err)
	}
	port := runTestPort(t)
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "noindex", port: port, out: out, speed: "100"})
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitInfra {
		t.Errorf("exit %d, want %d", code, ExitInfra)
	}
	if !strings.Contains(stderr, "no index written in "+out) || !strings.Contains(stderr, "results in "+out+"; no index written") ||
		strings.Contains(stderr, "index in "+filepath.Join(out, results.SummaryName)) {
		t.Errorf("stderr does not say that no index was written:\n%s", stderr)
	}
	checkComplete(t, filepath.Join(out, "noindex_TP1_DP1_CTX64_C4_P8_O8.json"), "noindex")
	checkNoSim(t, port)
}

// Fewer prompts than the concurrency: run warns, and the result records
// the concurrency reached beside the limit asked for.
func TestRunFewerPromptsThanConcurrency(t *testing.T) {
	dir := t.TempDir()
	port := runTestPort(t)
	out := filepath.Join(dir, "results")
	cfg := writeRunConfig(t, dir, "c.yaml", simRun{name: "few", port: port, out: out, conc: "[8]", nump: "[2]", speed: "100"})
	code, _, stderr := cli(t, nil, "run", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: "+cfg+":") || !strings.Contains(stderr, "2 prompts are fewer than concurrency 8: at most 2 requests are ever in flight") {
		t.Errorf("no warning naming the prompts and the concurrency:\n%s", stderr)
	}
	f := checkComplete(t, filepath.Join(out, "few_TP1_DP1_CTX64_C8_P2_O8.json"), "few")
	if f.MaxConcurrency != 8 || f.VllmBench.PeakConcurrentRequests < 1 || f.VllmBench.PeakConcurrentRequests > 2 {
		t.Errorf("max_concurrency %d, peak_concurrent_requests %d; want 8 and 1-2", f.MaxConcurrency, f.VllmBench.PeakConcurrentRequests)
	}
	checkNoSim(t, port)
}
