package runner

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// probeTimeout bounds each command run to describe the machine.
const probeTimeout = 10 * time.Second

// captureEnv describes the machine the sweep runs on: its GPUs (when
// nvidia-smi is there), host name, the git commit of the working directory
// (or GITHUB_SHA) and the harness version.
func captureEnv(ctx context.Context, getenv func(string) string, harnessVersion string) results.Env {
	var e results.Env
	if out, err := output(ctx, results.NvidiaSMIQuery...); err == nil {
		if gpus, err := results.ParseNvidiaSMI(out); err == nil {
			e = gpus
		}
	}
	e.Hostname, _ = os.Hostname()
	if sha, err := output(ctx, "git", "rev-parse", "HEAD"); err == nil {
		e.GitSHA = strings.TrimSpace(sha)
	} else {
		e.GitSHA = getenv("GITHUB_SHA")
	}
	e.HarnessVersion = harnessVersion
	return e
}

// output runs a command and returns its stdout; a missing command is an
// error like any other.
func output(ctx context.Context, argv ...string) (string, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
	return string(out), err
}

// GPUCount is the number of GPUs nvidia-smi reports on this machine, or 0
// when nvidia-smi is not installed or says nothing readable.
func GPUCount(ctx context.Context) int {
	out, err := output(ctx, results.NvidiaSMIQuery...)
	if err != nil {
		return 0
	}
	gpus, err := results.ParseNvidiaSMI(out)
	if err != nil {
		return 0
	}
	return gpus.GPUCount
}
