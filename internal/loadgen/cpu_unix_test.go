//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// cpuNow returns the CPU time this process has used so far.
func cpuNow() cpuUse {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuUse{}
	}
	return cpuUse{user: time.Duration(ru.Utime.Nano()), sys: time.Duration(ru.Stime.Nano())}
}
