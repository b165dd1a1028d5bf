//go:build !linux

package sim

import (
	"runtime"
	"time"
)

// preciseSleep sleeps for d on a Go timer, which is as precise as the
// operating system's timers (fine on macOS, about a millisecond on
// Windows); the pacer learns how late it ends and yields the rest.
func preciseSleep(d time.Duration) { time.Sleep(d) }

// yieldProcessor lets other goroutines run before the caller continues.
func yieldProcessor() { runtime.Gosched() }
