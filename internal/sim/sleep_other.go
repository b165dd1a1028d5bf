//go:build !linux

package sim

import (
	"runtime"
	"time"
)

// preciseSleep waits for d. Without a precise kernel sleep at hand it
// yields the processor until d has passed, which costs CPU but keeps time.
func preciseSleep(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		runtime.Gosched()
	}
}

// yieldProcessor lets other goroutines run before the caller continues.
func yieldProcessor() { runtime.Gosched() }
