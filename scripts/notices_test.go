package scripts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestThirdPartyNoticesCurrent checks that THIRD_PARTY_NOTICES.md and NOTICE
// are what notices.sh prints now, so a module added to or removed from the
// binary cannot ship without its license text and notices. The Go version in
// the table is the toolchain's, so it is not compared.
func TestThirdPartyNoticesCurrent(t *testing.T) {
	requireTools(t)
	goVersion := regexp.MustCompile(`(?m)^\| Go standard library \| go[^ |]+ \|`)
	normalize := func(b []byte) string { return goVersion.ReplaceAllString(string(b), "| Go standard library | go |") }
	for _, c := range []struct{ file, flag string }{{"THIRD_PARTY_NOTICES.md", ""}, {"NOTICE", "--notice"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "notices.sh")
		if c.flag != "" {
			cmd.Args = append(cmd.Args, c.flag)
		}
		cmd.Env = scriptEnv(nil)
		cmd.Stderr = os.Stderr
		got, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("notices.sh %s: %v", c.flag, err)
		}
		want, err := os.ReadFile(filepath.Join("..", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if normalize(got) != normalize(want) {
			t.Errorf("%s is out of date: run %s > %s", c.file, strings.TrimSpace("scripts/notices.sh "+c.flag), c.file)
		}
	}
}
