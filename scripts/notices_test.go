package scripts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestThirdPartyNoticesCurrent checks that THIRD_PARTY_NOTICES.md is what
// notices.sh prints now, so a module added to or removed from the binary
// cannot ship without its license text. The Go version in the table is the
// toolchain's, so it is not compared.
func TestThirdPartyNoticesCurrent(t *testing.T) {
	requireTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "notices.sh")
	cmd.Env = scriptEnv(nil)
	cmd.Stderr = os.Stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("notices.sh: %v", err)
	}
	want, err := os.ReadFile(filepath.Join("..", "THIRD_PARTY_NOTICES.md"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^\| Go standard library \| go[^ |]+ \|`)
	normalize := func(b []byte) string { return goVersion.ReplaceAllString(string(b), "| Go standard library | go |") }
	if normalize(got) != normalize(want) {
		t.Errorf("THIRD_PARTY_NOTICES.md is out of date: run scripts/notices.sh > THIRD_PARTY_NOTICES.md")
	}
}
