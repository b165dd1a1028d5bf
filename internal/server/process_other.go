//go:build !linux

package server

import (
	"fmt"
	"os/exec"
	"runtime"
)

// processSupport reports whether this system can run server processes.
// Stopping a server and every worker it forked needs Linux's process groups
// and parent-death signal, so elsewhere no server is started: benchmark a
// running server with engine external or `vllm-bench bench --base-url`.
func processSupport() error {
	return fmt.Errorf("starting server processes needs Linux (this is %s); benchmark a running server with engine: external and serve.base_url, or with vllm-bench bench --base-url", runtime.GOOS)
}

// inOwnGroup is never reached: Start refuses first.
func inOwnGroup(*exec.Cmd) {}

// signalGroup is never reached: Start refuses first.
func signalGroup(int, bool) {}

// groupGone is never reached: Start refuses first.
func groupGone(int) bool { return true }
