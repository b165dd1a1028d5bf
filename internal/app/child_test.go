package app

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// child is vllm-bench running as a child process of the test (the test
// binary runs as vllm-bench: asCLI is in its environment), for the tests
// that signal it.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error // Wait's, once done is closed
}

// startChild starts `vllm-bench ARGS...`; it is killed when the test ends
// if it is still running.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(exe, args...), done: make(chan struct{})}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// waitUntil polls ready every tick until it holds; the test fails when the
// child ends first or within passes.
func (c *child) waitUntil(t *testing.T, ready func() bool, tick, within time.Duration, what string) {
	t.Helper()
	deadline := time.After(within)
	for !ready() {
		select {
		case <-c.done:
			t.Fatalf("ended before %s: %v\n%s", what, c.err, &c.stderr)
		case <-deadline:
			t.Fatalf("no %s after %s\n%s", what, within, &c.stderr)
		case <-time.After(tick):
		}
	}
}

// interrupt sends SIGINT and returns the exit code, failing the test when
// the child does not stop within the limit.
func (c *child) interrupt(t *testing.T, within time.Duration) int {
	t.Helper()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(within):
		t.Fatalf("did not stop within %s of SIGINT\n%s", within, &c.stderr)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
	return 0
}
