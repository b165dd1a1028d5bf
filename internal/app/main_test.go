package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// asCLI is set in the environment of child processes started by tests: the
// test binary then behaves as the vllm-bench binary, so `run` starts the
// simulator as a real child process (`<test binary> sim ...`).
const asCLI = "VLLM_BENCH_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		// Wired as cmd/vllm-bench wires the real binary.
		ctx, abort := InterruptContext(5 * time.Second)
		exe, _ := os.Executable()
		os.Exit(Main(ctx, os.Args[1:], Env{
			Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Executable: exe, Abort: abort,
		}))
	}
	os.Setenv(asCLI, "1")
	// The simulator runs of these tests share a loaded machine, whose CPU
	// pressure makes their points suspect; the tests that check the
	// refusal of suspect points clear this.
	os.Setenv(allowSuspectVar, "1")
	// For the same reason the gate must not set their points aside as
	// measured on a busy host: it records the load without judging it.
	// The host and simulator checks are tested in probe and runner.
	os.Setenv(runner.SharedHostVar, "1")
	// Servers' compile caches go under a directory of this test run, never
	// the user's. Go's own build cache stays where it was, so that the
	// tests that build vllm-bench reuse the packages go test compiled.
	if os.Getenv("GOCACHE") == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
		}
	}
	cache, err := os.MkdirTemp("", "vllm-bench-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

// cli runs vllm-bench in-process with env overrides and returns its exit
// code and output. Servers it starts are real processes of this test
// binary.
func cli(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	code = Main(context.Background(), args, Env{Getenv: getenv, Stdout: &out, Stderr: &errOut, Executable: exe})
	return code, out.String(), errOut.String()
}
