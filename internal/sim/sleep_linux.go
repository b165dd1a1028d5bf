//go:build linux

package sim

import (
	"runtime"
	"syscall"
	"time"
)

// preciseSleep sleeps for d in the kernel (nanosleep), which on Linux ends
// within tens of microseconds of the request, where a Go timer may wake up
// a millisecond late. The goroutine's thread blocks; the runtime hands its
// processor to other goroutines meanwhile.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var left syscall.Timespec
		if err := syscall.Nanosleep(&ts, &left); err != syscall.EINTR {
			return
		}
		ts = left
	}
}

// yieldProcessor lets other goroutines run before the caller continues.
func yieldProcessor() { runtime.Gosched() }
