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

// TestThirdPartyNoticesFences checks that every license text in
// THIRD_PARTY_NOTICES.md is fenced on lines of their own (a fence closed on
// the text's last line swallows the next heading), and that the Go
// standard library's PATENTS file is there beside its LICENSE.
func TestThirdPartyNoticesFences(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "THIRD_PARTY_NOTICES.md"))
	if err != nil {
		t.Fatal(err)
	}
	open := false
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "```text" && !open:
			open = true
		case line == "```" && open:
			open = false
		case strings.Contains(line, "```"):
			t.Errorf("THIRD_PARTY_NOTICES.md:%d: a fence not on a line of its own: %q", i+1, line)
		case open && strings.HasPrefix(line, "## "):
			t.Errorf("THIRD_PARTY_NOTICES.md:%d: heading %q inside a license text", i+1, line)
		}
	}
	if open {
		t.Error("THIRD_PARTY_NOTICES.md ends inside a fence")
	}
	std, _, _ := strings.Cut(string(data), "\n## github.com/")
	_, std, _ = strings.Cut(std, "\n## Go standard library\n")
	for _, want := range []string{"\n### LICENSE\n", "\n### PATENTS\n", "Additional IP Rights Grant (Patents)"} {
		if !strings.Contains(std, want) {
			t.Errorf("the Go standard library's section lacks %q", strings.TrimSpace(want))
		}
	}
}
