//go:build linux

package server

import (
	"errors"
	"os/exec"
	"syscall"
)

// processSupport reports whether this system can run server processes: on
// Linux it can.
func processSupport() error { return nil }

// inOwnGroup starts cmd in a process group of its own, so that Stop reaches
// every process the server forks (vLLM's workers); Pdeathsig kills the
// leader even if the harness is killed outright.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends SIGTERM (kill false) or SIGKILL to the process group.
func signalGroup(pgid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pgid, sig)
}

// groupGone reports whether no process of the group remains.
func groupGone(pgid int) bool {
	return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}
