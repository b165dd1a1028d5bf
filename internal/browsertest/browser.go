package browsertest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setupTimeout bounds the node module install Require runs (npm ci on
// first use; setup.sh's own registry check fails within seconds offline).
const setupTimeout = 5 * time.Minute

// registryUnreachable is setup.sh's exit status when the node modules are
// not installed and the npm registry cannot be reached.
const registryUnreachable = 3

// waitDelay bounds how long a check's output pipes are read after its
// context ends, so that a Chromium left behind cannot hold a test.
const waitDelay = 5 * time.Second

// SkipReason says why the browser checks cannot run here, or "": they need
// bash and npm (setup.sh), node and a Chromium ($CHROMIUM, else
// /usr/bin/chromium or one on PATH).
func SkipReason() string {
	for _, tool := range []string{"bash", "node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " is not installed"
		}
	}
	if c := os.Getenv("CHROMIUM"); c != "" {
		if _, err := exec.LookPath(c); err != nil {
			return "CHROMIUM=" + c + " is not an executable"
		}
		return ""
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return ""
		}
	}
	return "Chromium is not installed (apt-get install chromium, or set CHROMIUM)"
}

// Require skips the test in -short mode and where SkipReason names a
// missing tool, then installs the pinned node modules (Setup) and skips,
// with setup.sh's reason, where they are missing and the npm registry
// cannot be reached; subject says what goes unchecked, e.g. "the
// dashboard".
func Require(t testing.TB, subject string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short mode: checks " + subject + " in headless Chromium")
	}
	if reason := SkipReason(); reason != "" {
		t.Skip("skipped: " + reason + "; " + subject + " is not checked in a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	runSetup(ctx, t, filepath.Join(Scripts(t), "browser", "setup.sh"), subject)
}

// Root returns the repository's root, the nearest folder at or above the
// test's working directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod at or above the test's working directory")
		}
		dir = parent
	}
}

// Scripts returns the path of the repository's scripts folder.
func Scripts(t testing.TB) string {
	t.Helper()
	return filepath.Join(Root(t), "scripts")
}

// Setup runs scripts/browser/setup.sh, which installs the pinned node
// modules on first use; it skips the test where the registry cannot be
// reached and fails it, with the script's output, on any other failure.
func Setup(ctx context.Context, t testing.TB) {
	t.Helper()
	runSetup(ctx, t, filepath.Join(Scripts(t), "browser", "setup.sh"), "the page")
}

// runSetup runs the setup script at path under bash: it skips the test
// when the script exits with registryUnreachable and fails it on any other
// error; subject says what goes unchecked.
func runSetup(ctx context.Context, t testing.TB, script, subject string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.WaitDelay = waitDelay
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == registryUnreachable:
		t.Skip("skipped: " + strings.TrimSpace(string(out)) + "; " + subject + " is not checked in a browser")
	default:
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

// Check returns the command that runs scripts/browser/check.mjs with args
// under node; run Setup first.
func Check(ctx context.Context, t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(Scripts(t), "browser", "check.mjs")}, args...)...)
	cmd.WaitDelay = waitDelay
	return cmd
}

// TrackInputs reads the files a browser check depends on (the scripts in
// scripts/browser and extra), so that go test's cache, which sees only the
// files the test process opens, reruns the test when one of them changes.
func TrackInputs(t testing.TB, extra ...string) {
	t.Helper()
	var inputs []string
	for _, pattern := range []string{"*.*js*", "*.sh"} {
		scripts, err := filepath.Glob(filepath.Join(Scripts(t), "browser", pattern))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, scripts...)
	}
	for _, path := range append(inputs, extra...) {
		if _, err := os.ReadFile(path); err != nil {
			t.Fatalf("browser check input: %v", err)
		}
	}
}

// RunExpecting runs cmd and returns its standard output and error; it
// fails the test, with both, unless cmd exits with status (why says what
// that status means, e.g. "the broken page fails").
func RunExpecting(t testing.TB, cmd *exec.Cmd, status int, why string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	got := err == nil && status == 0 || errors.As(err, &exit) && exit.ExitCode() == status
	if !got {
		name := cmd.Path
		if len(cmd.Args) > 1 {
			name = filepath.Base(cmd.Args[1])
		}
		t.Fatalf("%s: want exit status %d (%s), got %v\nstdout:\n%s\nstderr:\n%s", name, status, why, err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}
