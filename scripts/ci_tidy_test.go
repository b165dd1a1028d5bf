package scripts

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCITidyNamesTheCause runs .ci/tidy on two small modules: one whose
// go.mod requires a module it does not use (not tidy: the message says so) and one whose
// module cannot be downloaded (the proxy is a closed port and the module
// cache empty: the message must say the download failed, not "not tidy").
func TestCITidyNamesTheCause(t *testing.T) {
	for _, tool := range []string{"bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	script, err := filepath.Abs(filepath.Join("..", ".ci", "tidy"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	cases := []struct {
		name, goMod, main, proxy, want, notWant string
	}{
		{
			name:    "untidy",
			goMod:   "module example.com/untidy\n\ngo 1.21\n\nrequire example.com/unused v1.0.0\n",
			main:    "package main\n\nfunc main() {}\n",
			proxy:   "off",
			want:    "go.mod/go.sum are not tidy: run go mod tidy",
			notWant: "could not download",
		},
		{
			name:    "offline",
			goMod:   "module example.com/offline\n\ngo 1.21\n\nrequire gopkg.in/yaml.v3 v3.0.1\n",
			main:    "package main\n\nimport _ \"gopkg.in/yaml.v3\"\n\nfunc main() {}\n",
			proxy:   "http://" + closed,
			want:    "go mod tidy could not download the modules",
			notWant: "not tidy",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range map[string]string{"go.mod": c.goMod, "main.go": c.main} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPROXY="+c.proxy, "GOMODCACHE="+t.TempDir(),
				"GOFLAGS=-modcacherw", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOWORK=off")
			out, err := cmd.CombinedOutput()
			if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
				t.Fatalf(".ci/tidy: want exit status 1, got %v\n%s", err, out)
			}
			if !strings.Contains(string(out), c.want) || strings.Contains(string(out), c.notWant) {
				t.Errorf(".ci/tidy says:\n%s\nwant %q and not %q", out, c.want, c.notWant)
			}
		})
	}
}
