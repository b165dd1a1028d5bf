package app

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes, the same for every subcommand.
const (
	// ExitOK: the command did what was asked and found no regression.
	ExitOK = 0
	// ExitRegression: the gate found a regression or a failed point, or
	// baseline update refused suspect points.
	ExitRegression = 1
	// ExitInvalid: invalid input (config, flags, files).
	ExitInvalid = 2
	// ExitInfra: infrastructure failure (a server did not start or died,
	// all requests failed, the GitHub API stayed down).
	ExitInfra = 3
)

// exitError is how a command ends with an exit code other than 0, or with
// a message: Main prints the message once and exits with the code.
type exitError struct {
	code int
	// err is the message; nil when the command already said everything
	// (a regression's report, a help text).
	err error
	// plain messages are printed as they are (config errors, which name
	// their file, and flag errors, which name the command); the others get
	// the program's name in front.
	plain bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// invalidf is invalid input: exit 2 with the message.
func invalidf(format string, args ...any) error {
	return &exitError{code: ExitInvalid, err: fmt.Errorf(format, args...)}
}

// infraf is an infrastructure failure: exit 3 with the message.
func infraf(format string, args ...any) error {
	return &exitError{code: ExitInfra, err: fmt.Errorf(format, args...)}
}

// invalidInput is invalid input whose error already names where it is
// (a config file's line, a flag): exit 2, printed as it is.
func invalidInput(err error) error {
	return &exitError{code: ExitInvalid, err: err, plain: true}
}

// quietExit ends the command with code and no further message.
func quietExit(code int) error {
	return &exitError{code: code}
}

// exitWith prints err (once) on w and returns its exit code: the code an
// exitError carries, ExitInfra for any other error, ExitOK for nil.
func exitWith(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	code, prefix := ExitInfra, "vllm-bench: "
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
		if ee.plain {
			prefix = ""
		}
	}
	fmt.Fprintln(w, prefix+strings.TrimRight(err.Error(), "\n"))
	return code
}
