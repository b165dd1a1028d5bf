// Command vllm-bench benchmarks vLLM servers and gates performance
// regressions; see README.md. It only wires the process into app.Main.
package main

import (
	"os"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/app"
)

// abortGrace is how long the process waits after a second signal for the
// command to kill its servers before it exits regardless.
const abortGrace = 5 * time.Second

func main() {
	ctx, abort := app.InterruptContext(abortGrace)
	exe, _ := os.Executable()
	os.Exit(app.Main(ctx, os.Args[1:], app.Env{
		Getenv:     os.Getenv,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Executable: exe,
		Abort:      abort,
	}))
}
