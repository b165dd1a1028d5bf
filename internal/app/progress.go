package app

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// lines is the command line's runner.Observer: a header per server
// configuration, a line per step and per point (which of how many, with an
// estimate of the time left once a point has finished), and the requests of
// each round (on a terminal one line redrawn, elsewhere a line every few
// seconds), all on w (stderr).
type lines struct {
	w io.Writer
	// first is when the first measured point began; begun counts the
	// measured points begun since, for the estimate.
	first time.Time
	begun int
	now   func() time.Time
	// atMost is set for a paired A/B comparison: its count of points is the
	// most it may measure, since it stops once its verdicts are clear.
	atMost bool
}

// countsAtMost tells l that the counts of points it is given are upper
// bounds (a paired A/B comparison).
func (l *lines) countsAtMost() { l.atMost = true }

// newLines returns the observer that writes to w.
func newLines(w io.Writer) *lines { return &lines{w: w, now: time.Now} }

// BeginServer prints the configuration's header.
func (l *lines) BeginServer(i, n int, s sweep.ServerConfig) {
	fmt.Fprintf(l.w, "\n%s\n", serverHeader(i, n, s))
}

// serverHeader names server configuration i of n.
func serverHeader(i, n int, s sweep.ServerConfig) string {
	return fmt.Sprintf("[%d/%d] %s TP%d DP%d PP%d (engine %s)", i, n, s.Run.Name, s.TP, s.DP, s.PP, s.Run.Engine)
}

// EndServer prints why the configuration failed, if it did.
func (l *lines) EndServer(s sweep.ServerConfig, err error) {
	if err != nil {
		fmt.Fprintf(l.w, "vllm-bench: %s: %v\n", s.Stem(), err)
	}
}

// Step prints the step.
func (l *lines) Step(msg string) { fmt.Fprintln(l.w, msg) }

// BeginPoint prints which point of how many begins, and once a point has
// finished, the time the rest will take at the pace so far (server starts
// included); for a paired A/B comparison, the most points and the most
// time left. A count it was not given (n below k) is left out.
func (l *lines) BeginPoint(k, n int, p sweep.Point) {
	now := l.now()
	line := fmt.Sprintf("[point %d] %s", k, p.Label())
	switch {
	case n >= k && l.atMost:
		line = fmt.Sprintf("[point %d of at most %d] %s", k, n, p.Label())
	case n >= k:
		line = fmt.Sprintf("[point %d/%d] %s", k, n, p.Label())
	}
	if l.begun == 0 {
		l.first = now
	} else if n >= k {
		left := (now.Sub(l.first) / time.Duration(l.begun) * time.Duration(n-k+1)).Round(time.Second)
		if l.atMost {
			line += fmt.Sprintf(" (at most %s left)", left)
		} else {
			line += fmt.Sprintf(" (ETA %s)", left)
		}
	}
	l.begun++
	fmt.Fprintln(l.w, line)
}

// Round starts reporting a round of requests.
func (l *lines) Round(label string, total int) runner.Round {
	return startProgress(l.w, label, total)
}

// Progress cadence: a terminal gets a live line, a log a line now and then.
const (
	// progressTTYEvery is how often the live line is redrawn on a terminal.
	progressTTYEvery = 250 * time.Millisecond
	// progressLogEvery is how often a plain progress line is printed when
	// stderr is not a terminal (CI logs).
	progressLogEvery = 5 * time.Second
)

// progress reports a round's requests while it runs: on a terminal one
// line redrawn with \r, elsewhere a plain line every few seconds, and a
// last line when the round ends.
type progress struct {
	w      io.Writer
	tty    bool
	label  string
	total  int
	start  time.Time
	done   atomic.Int64
	failed atomic.Int64
	stop   chan struct{}
	wg     sync.WaitGroup
}

// startProgress starts reporting a round of total requests.
func startProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, tty: isTerminal(w), label: label, total: total, start: time.Now(), stop: make(chan struct{})}
	every := progressLogEvery
	if p.tty {
		every = progressTTYEvery
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.print(false)
			case <-p.stop:
				return
			}
		}
	})
	return p
}

// Request counts one finished request.
func (p *progress) Request(ok bool) {
	p.done.Add(1)
	if !ok {
		p.failed.Add(1)
	}
}

// End stops the reporting and prints the last line.
func (p *progress) End() {
	close(p.stop)
	p.wg.Wait()
	p.print(true)
}

// print writes the current line; last ends it with a newline on a terminal.
func (p *progress) print(last bool) {
	done := p.done.Load()
	elapsed := time.Since(p.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	line := fmt.Sprintf("%s: %d/%d done, %.1f req/s, %s elapsed, %d failed",
		p.label, done, p.total, rate, elapsed.Round(100*time.Millisecond), p.failed.Load())
	switch {
	case p.tty && last:
		fmt.Fprintf(p.w, "\r\033[K%s\n", line)
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	default:
		fmt.Fprintln(p.w, line)
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
