package engine

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// versionTimeout bounds `vllm --version`, which imports torch and can take
// several seconds.
const versionTimeout = 60 * time.Second

var versionPattern = regexp.MustCompile(`(\d+)\.(\d+)(?:\.(\d+))?`)

// ServerVersion asks the server's own binary for its version: `vllm
// --version` for vLLM (only with the default command; a custom launcher is
// not guessed at), `vllm-bench sim --version` for the simulator, SGLang's
// package version. It returns "" when the version cannot be read.
func ServerVersion(ctx context.Context, run *config.Run, opts Options) string {
	var argv []string
	switch run.Engine {
	case config.EngineVLLM:
		if len(run.Serve.Command) > 0 {
			return ""
		}
		argv = []string{"vllm", "--version"}
	case config.EngineSim:
		argv = []string{opts.Executable, "sim", "--version"}
	case config.EngineSGLang:
		if len(run.Serve.Command) > 0 {
			return ""
		}
		argv = []string{"python3", "-c", "import sglang; print(sglang.__version__)"}
	default:
		return ""
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = opts.Environ
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// before reports whether version is older than v. An unreadable or empty
// version counts as recent.
func before(version string, v [3]int) bool {
	m := versionPattern.FindStringSubmatch(version)
	if m == nil {
		return false
	}
	var got [3]int
	for i := 0; i < 3; i++ {
		got[i], _ = strconv.Atoi(m[i+1])
	}
	for i := 0; i < 3; i++ {
		if got[i] != v[i] {
			return got[i] < v[i]
		}
	}
	return false
}
