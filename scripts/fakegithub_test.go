package scripts

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRepository is the action repository the fake GitHub serves.
const fakeRepository = "acme/vllm-bench-action"

// fakeGitHub serves what install.sh reads from a GitHub server: release
// assets under /<repo>/releases/download/<tag>/<file>, redirected with a
// 302 to where the file is stored as github.com does, and the repository's
// refs under /<repo>.git/info/refs, as git's smart HTTP protocol advertises
// them.
type fakeGitHub struct {
	// repo is the repository served, "owner/name"; empty means
	// fakeRepository.
	repo string
	// releases maps a tag to the directory holding its assets.
	releases map[string]string
	// refs are the advertised refs, as "<sha> <name>" lines.
	refs []string
	// tampered names an asset served with its last byte changed.
	tampered string
	// refsDown makes the refs endpoint answer 503.
	refsDown bool

	mu       sync.Mutex
	requests []string
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Path)
	f.mu.Unlock()
	repo := cmp.Or(f.repo, fakeRepository)
	if r.URL.Path == "/"+repo+".git/info/refs" && r.URL.Query().Get("service") == "git-upload-pack" {
		if f.refsDown {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
		fmt.Fprint(w, advertisement(f.refs))
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/"+repo+"/releases/download/"); ok {
		http.Redirect(w, r, "/release-assets/"+rest, http.StatusFound)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/release-assets/")
	tag, file, _ := strings.Cut(rest, "/")
	dir := f.releases[tag]
	if !ok || dir == "" || file == "" || strings.Contains(file, "/") {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if file == f.tampered {
		data[len(data)-1] ^= 0xff
	}
	w.Write(data)
}

// paths returns the paths requested so far.
func (f *fakeGitHub) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// requested reports whether any request path contained substr.
func (f *fakeGitHub) requested(substr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.requests, func(p string) bool { return strings.Contains(p, substr) })
}

// advertisement renders refs as git-upload-pack's reference advertisement:
// pkt-lines, a flush, HEAD with the capabilities after a NUL, the refs, a
// flush.
func advertisement(refs []string) string {
	pkt := func(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }
	var b strings.Builder
	b.WriteString(pkt("# service=git-upload-pack\n"))
	b.WriteString("0000")
	for i, ref := range refs {
		if i == 0 {
			sha, _, _ := strings.Cut(ref, " ")
			b.WriteString(pkt(sha + " HEAD\x00multi_ack side-band-64k symref=HEAD:refs/heads/main agent=git/github\n"))
		}
		b.WriteString(pkt(ref + "\n"))
	}
	b.WriteString("0000")
	return b.String()
}

// requireTools skips the test when a tool the scripts need is missing.
func requireTools(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skipf("install.sh supports Linux and macOS runners, not %s", runtime.GOOS)
	}
	for _, tool := range []string{"bash", "tar", "gzip", "awk", "sed", "sort"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	if !onPath("sha256sum") && !onPath("shasum") {
		t.Skip("neither sha256sum nor shasum is installed")
	}
	if !onPath("curl") && !onPath("wget") {
		t.Skip("neither curl nor wget is installed")
	}
	if !onPath("go") {
		t.Skip("go is not on PATH")
	}
	trackSources(t)
}

func onPath(tool string) bool {
	_, err := exec.LookPath(tool)
	return err == nil
}

// runnerNames are RUNNER_OS and RUNNER_ARCH as GitHub sets them on this
// machine.
func runnerNames(t testing.TB) (osName, archName string) {
	t.Helper()
	osName = map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	archName = map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || archName == "" {
		t.Skipf("no runner names for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return osName, archName
}

// buildRelease runs release.sh for this machine's platform and returns the
// directory holding the archive and checksums.txt.
func buildRelease(t testing.TB, version string) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "release.sh", version, dir, runtime.GOOS+"/"+runtime.GOARCH)
	cmd.Env = scriptEnv(nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh %s: %v\n%s", version, err, out)
	}
	return dir
}

// scriptEnv is this process's environment without anything GitHub,
// the runner or a proxy would add, plus extra.
func scriptEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "GITHUB_") || strings.HasPrefix(upper, "RUNNER_") ||
			strings.HasPrefix(upper, "VLLM_BENCH_") || strings.HasSuffix(upper, "_PROXY") {
			continue
		}
		if _, ok := extra[name]; ok {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	// Downloads go to the fake GitHub on the loopback address only.
	return append(env, "NO_PROXY=*", "no_proxy=*")
}

// install is one run of install.sh.
type install struct {
	out    string // stdout and stderr
	err    error  // nil when it exited 0
	bin    string // where the binary lands
	output string // what it wrote to GITHUB_OUTPUT
	path   string // what it wrote to GITHUB_PATH
}

// runInstall runs install.sh as the action does, against server, with the
// action's ref and env (which may override the defaults); args go to the
// script.
func runInstall(t testing.TB, server, ref string, env map[string]string, args ...string) install {
	t.Helper()
	osName, archName := runnerNames(t)
	temp := t.TempDir()
	files := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":           "true",
		"GITHUB_SERVER_URL":        server,
		"GITHUB_ACTION_REPOSITORY": fakeRepository,
		"GITHUB_ACTION_REF":        ref,
		"GITHUB_OUTPUT":            filepath.Join(files, "output"),
		"GITHUB_PATH":              filepath.Join(files, "path"),
		"RUNNER_OS":                osName,
		"RUNNER_ARCH":              archName,
		"RUNNER_TEMP":              temp,
	}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{"install.sh"}, args...)...)
	cmd.Env = scriptEnv(vars)
	out, err := cmd.CombinedOutput()
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(files, name))
		return string(data)
	}
	// The script cleans up after itself: only the binary may be left.
	entries, _ := os.ReadDir(temp)
	for _, e := range entries {
		if e.Name() != "vllm-bench" {
			t.Errorf("install.sh left %q in RUNNER_TEMP", e.Name())
		}
	}
	return install{out: string(out), err: err, bin: filepath.Join(temp, "vllm-bench"), output: read("output"), path: read("path")}
}

// version runs the installed binary's --version.
func (in install) version(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, in.bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s\ninstall.sh said:\n%s", in.bin, err, out, in.out)
	}
	return strings.TrimSpace(string(out))
}

// newFakeGitHub starts a fake GitHub for the test.
func newFakeGitHub(t testing.TB, f *fakeGitHub) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

// trackSources reads the scripts and stats every file a build reads, so
// that go test's result cache, which sees only the files the test process
// itself opens, reruns the test when any of them changes.
func trackSources(t testing.TB) {
	t.Helper()
	for _, script := range []string{"install.sh", "release.sh", "notices.sh"} {
		if _, err := os.ReadFile(script); err != nil {
			t.Fatal(err)
		}
	}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
