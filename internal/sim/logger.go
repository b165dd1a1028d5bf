package sim

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// logger writes vLLM-style log lines: "INFO 11-28 07:00:01 [file.py] msg".
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) logf(level, source, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	stamp := time.Now().Format("01-02 15:04:05")
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(msg, "\n") {
		fmt.Fprintf(l.w, "%s %s [%s] %s\n", level, stamp, source, line)
	}
}

// infof, warnf and errorf log at vLLM's levels; source names the vLLM module
// that would have logged the line.
func (l *logger) infof(source, format string, args ...any) { l.logf("INFO", source, format, args...) }
func (l *logger) warnf(source, format string, args ...any) {
	l.logf("WARNING", source, format, args...)
}
func (l *logger) errorf(source, format string, args ...any) {
	l.logf("ERROR", source, format, args...)
}

// uvicornf writes a uvicorn-style line ("INFO:     msg").
func (l *logger) uvicornf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "INFO:     %s\n", msg)
}
