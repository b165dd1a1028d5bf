package browsertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestScriptsAreTheRepositorys(t *testing.T) {
	for _, name := range []string{"render-comment.sh", filepath.Join("browser", "setup.sh"), filepath.Join("browser", "check.mjs")} {
		if _, err := os.Stat(filepath.Join(Scripts(t), name)); err != nil {
			t.Errorf("scripts/%s: %v", name, err)
		}
	}
}

func TestRunExpectingReturnsBothStreams(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	stdout, stderr := RunExpecting(t, exec.Command("bash", "-c", "echo out; echo err >&2; exit 1"), 1, "it says so")
	if stdout != "out\n" || stderr != "err\n" {
		t.Errorf("stdout %q stderr %q, want \"out\\n\" and \"err\\n\"", stdout, stderr)
	}
	stdout, _ = RunExpecting(t, exec.Command("bash", "-c", "echo fine"), 0, "it succeeds")
	if stdout != "fine\n" {
		t.Errorf("stdout %q, want \"fine\\n\"", stdout)
	}
}

// TestSetupSkipsWhenTheRegistryIsUnreachable runs a copy of setup.sh, with
// no node modules installed, against an npm registry on a closed port: the
// script must say the registry cannot be reached and exit with
// registryUnreachable (not retry npm ci for minutes), and runSetup must
// skip the test with that reason.
func TestSetupSkipsWhenTheRegistryIsUnreachable(t *testing.T) {
	for _, tool := range []string{"bash", "node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"setup.sh", "package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(Scripts(t), "browser", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	registry := "http://" + closedAddr(t) + "/"
	t.Setenv("npm_config_registry", registry)
	t.Setenv("npm_config_cache", t.TempDir())
	script := filepath.Join(dir, "setup.sh")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	_, stderr := RunExpecting(t, cmd, registryUnreachable, "the registry cannot be reached")
	if want := "the npm registry " + registry + " cannot be reached"; !strings.Contains(stderr, want) {
		t.Errorf("setup.sh says %q, want it to contain %q", stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		t.Errorf("setup.sh ran npm ci although the registry cannot be reached")
	}

	var inner *testing.T
	t.Run("runSetup", func(t *testing.T) {
		inner = t
		runSetup(ctx, t, script, "the page")
	})
	if !inner.Skipped() {
		t.Errorf("runSetup did not skip the test when the registry cannot be reached")
	}
}

// TestRunSetupFailsOnOtherErrors checks that a setup failure other than an
// unreachable registry fails the test rather than hiding it as a skip.
func TestRunSetupFailsOnOtherErrors(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	script := filepath.Join(t.TempDir(), "setup.sh")
	if err := os.WriteFile(script, []byte("echo 'npm ci failed' >&2; exit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runSetup(context.Background(), ft, script, "the page")
	}()
	<-done
	if !ft.fataled || !strings.Contains(ft.msg, "npm ci failed") {
		t.Errorf("runSetup on exit status 2: fatal %v %q, want a failure quoting the script's output", ft.fataled, ft.msg)
	}
}

// fatalRecorder records a Fatalf instead of ending the test, and ends the
// goroutine that called it.
type fatalRecorder struct {
	testing.TB
	fataled bool
	msg     string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.fataled, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Skip(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// closedAddr returns a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
