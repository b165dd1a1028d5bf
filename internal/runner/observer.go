package runner

import "github.com/vllm-bench-action/vllm-bench-action/internal/sweep"

// Observer is told what a sweep is doing, so a person can follow it: the
// command line prints lines on stderr, the action groups each server's
// lines in the job log. Its methods are called from one goroutine, except
// Round's counters (see Round).
type Observer interface {
	// BeginServer is called before server configuration i of n (1-based)
	// is started.
	BeginServer(i, n int, s sweep.ServerConfig)
	// EndServer is called after the configuration's server stopped; err is
	// why the configuration failed, nil when it did not.
	EndServer(s sweep.ServerConfig, err error)
	// Step reports one step of the current configuration in a line:
	// starting or waiting for the server, points kept by --resume, a
	// server that would not stop.
	Step(msg string)
	// BeginPoint is called before point k of the plan's n (1-based,
	// counting the points --resume kept) is measured.
	BeginPoint(k, n int, p sweep.Point)
	// Round is called when a round of total requests starts (label is
	// "warmup", "requests" or "repeat k/n"). The returned Round counts the
	// finished requests, possibly from many goroutines at once, and is
	// ended once.
	Round(label string, total int) Round
}

// Round follows the requests of one round.
type Round interface {
	// Request counts one finished request; ok is false when it failed.
	Request(ok bool)
	// End closes the round.
	End()
}

// Quiet is an Observer that reports nothing.
type Quiet struct{}

// BeginServer does nothing.
func (Quiet) BeginServer(int, int, sweep.ServerConfig) {}

// EndServer does nothing.
func (Quiet) EndServer(sweep.ServerConfig, error) {}

// Step does nothing.
func (Quiet) Step(string) {}

// BeginPoint does nothing.
func (Quiet) BeginPoint(int, int, sweep.Point) {}

// Round returns a round that counts nothing.
func (Quiet) Round(string, int) Round { return quietRound{} }

type quietRound struct{}

func (quietRound) Request(bool) {}
func (quietRound) End()         {}
