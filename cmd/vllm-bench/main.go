// Command vllm-bench benchmarks vLLM servers and gates performance
// regressions; see README.md. It only wires the process into app.Main.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/app"
)

// abortGrace is how long the process waits after a second signal for the
// command to kill its servers before it exits regardless.
const abortGrace = 5 * time.Second

func main() {
	// The first SIGINT/SIGTERM cancels ctx: servers are stopped gracefully
	// and finished files kept. The second closes abort: servers are killed
	// at once and the process exits.
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		cancel()
		<-signals
		close(abort)
		time.Sleep(abortGrace)
		os.Exit(app.ExitInfra)
	}()
	exe, _ := os.Executable()
	os.Exit(app.Main(ctx, os.Args[1:], app.Env{
		Getenv:     os.Getenv,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Executable: exe,
		Abort:      abort,
	}))
}
