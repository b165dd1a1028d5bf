package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Defaults of Options.
const (
	// DefaultPollInterval is how often readiness is polled.
	DefaultPollInterval = 200 * time.Millisecond
	// DefaultStopGrace is how long a server has to exit after SIGTERM
	// before its process group is killed; vLLM frees its GPUs in a few
	// seconds.
	DefaultStopGrace = 30 * time.Second
	// DefaultStartupTimeout bounds a start when Options gives none.
	DefaultStartupTimeout = 20 * time.Minute
	// LogTailLines is how many log lines an error quotes.
	LogTailLines = 30
)

// Options describe one server process.
type Options struct {
	// Name labels the server in messages, e.g. my-benchmark_TP1_DP1.
	Name string
	// Argv is the command and its arguments; it is run directly, never
	// through a shell.
	Argv []string
	// Env holds KEY=VALUE pairs added to the harness's environment.
	Env []string
	// LogPath receives the server's stdout and stderr (appended).
	LogPath string
	// BaseURL is where the server answers, e.g. http://127.0.0.1:8000.
	BaseURL string
	// HealthPath is polled until it answers 200.
	HealthPath string
	// Port is checked to be free before the start; 0 skips the check.
	Port int
	// StartupTimeout bounds the wait for readiness.
	StartupTimeout time.Duration
	// PollInterval is the readiness polling interval.
	PollInterval time.Duration
	// StopGrace is the time between SIGTERM and SIGKILL on Stop.
	StopGrace time.Duration
	// Abort, when closed, cuts StopGrace short: the group is killed at once.
	Abort <-chan struct{}
}

// Server is a running server process and its process group.
type Server struct {
	opts Options
	cmd  *exec.Cmd
	log  *os.File
	// logStart is the log file's size before this start, so errors quote
	// only this start's lines.
	logStart int64
	done     chan struct{} // closed when the process has exited
	waitErr  error         // the process's exit, valid once done is closed
	// ModelID is the first model id the server lists at /v1/models.
	ModelID string
	// StartupS is the seconds from the start until the server was ready.
	StartupS float64
}

// StartError is a server that did not become ready: it exited, timed out,
// or its port was taken. It carries the log lines that explain why.
type StartError struct {
	Name    string
	Reason  string
	LogPath string
	LogTail []string
}

// Error names the server, says why it failed and quotes its log.
func (e *StartError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server %s %s", e.Name, e.Reason)
	if len(e.LogTail) > 0 {
		fmt.Fprintf(&b, "; last %d lines of %s:", len(e.LogTail), e.LogPath)
		for _, l := range e.LogTail {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// Summary is the failure in one line: the reason and the log's last line.
func (e *StartError) Summary() string {
	s := fmt.Sprintf("server %s %s", e.Name, e.Reason)
	if n := len(e.LogTail); n > 0 {
		s += ": " + e.LogTail[n-1]
	}
	return s
}

// Start launches the server and waits until it is ready. On any failure
// the process group is stopped before Start returns.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts = withDefaults(opts)
	if err := processSupport(); err != nil {
		return nil, fmt.Errorf("server %s: %w", opts.Name, err)
	}
	if len(opts.Argv) == 0 {
		return nil, fmt.Errorf("server %s: no command to run", opts.Name)
	}
	if opts.Port > 0 {
		if err := CheckPortFree(opts.Port); err != nil {
			return nil, &StartError{Name: opts.Name, Reason: "cannot start: " + err.Error()}
		}
	}
	if err := os.MkdirAll(filepath.Dir(opts.LogPath), 0o755); err != nil {
		return nil, fmt.Errorf("server %s: creating log directory: %w", opts.Name, err)
	}
	log, err := os.OpenFile(opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server %s: opening log: %w", opts.Name, err)
	}
	info, _ := log.Stat()
	s := &Server{opts: opts, log: log, logStart: info.Size(), done: make(chan struct{})}
	fmt.Fprintf(log, "=== vllm-bench: starting %s at %s: %s\n", opts.Name, time.Now().Format(time.RFC3339), strings.Join(opts.Argv, " "))

	cmd := exec.Command(opts.Argv[0], opts.Argv[1:]...)
	cmd.Env = append(ChildEnviron(os.Environ()), opts.Env...)
	cmd.Stdout, cmd.Stderr = log, log
	inOwnGroup(cmd)
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, &StartError{Name: opts.Name, Reason: fmt.Sprintf("could not be started: %v", err)}
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	model, err := s.waitReady(ctx)
	if err != nil {
		stopErr := s.Stop()
		var se *StartError
		if errors.As(err, &se) {
			se.LogTail = s.LogTail(LogTailLines)
		}
		return nil, errors.Join(err, stopErr)
	}
	s.ModelID = model
	s.StartupS = time.Since(begin).Seconds()
	return s, nil
}

func withDefaults(o Options) Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	if o.StartupTimeout <= 0 {
		o.StartupTimeout = DefaultStartupTimeout
	}
	if o.HealthPath == "" {
		o.HealthPath = "/health"
	}
	return o
}

// waitReady polls until the server answers, the process exits, the startup
// timeout passes or ctx ends.
func (s *Server) waitReady(ctx context.Context) (string, error) {
	wait, cancel := context.WithTimeout(ctx, s.opts.StartupTimeout)
	defer cancel()
	model, last, err := poll(wait, s.opts.BaseURL, s.opts.HealthPath, s.opts.PollInterval, s.done)
	switch {
	case err == nil:
		return model, nil
	case errors.Is(err, errExited):
		return "", &StartError{Name: s.opts.Name, Reason: "exited during startup (" + exitText(s.waitErr) + ")", LogPath: s.opts.LogPath}
	case ctx.Err() != nil:
		return "", ctx.Err()
	default:
		return "", &StartError{Name: s.opts.Name, Reason: fmt.Sprintf("was not ready after startup_timeout %s (last check: %v)", s.opts.StartupTimeout, last), LogPath: s.opts.LogPath}
	}
}

// Exited is closed when the server process has exited.
func (s *Server) Exited() <-chan struct{} { return s.done }

// ExitText describes how the process ended, once Exited is closed.
func (s *Server) ExitText() string { return exitText(s.waitErr) }

// PID is the server's process id, which is also its process group's.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop ends the server: SIGTERM to its process group, up to StopGrace (or
// until Abort closes) for it to exit, then SIGKILL to the group. It returns
// once the leader has been reaped and the group signalled to death. Stop is
// safe to call more than once.
func (s *Server) Stop() error {
	defer s.log.Close()
	pgid := s.cmd.Process.Pid
	select {
	case <-s.done:
	default:
		signalGroup(pgid, false)
		timer := time.NewTimer(s.opts.StopGrace)
		defer timer.Stop()
		select {
		case <-s.done:
		case <-timer.C:
		case <-s.opts.Abort:
		}
	}
	// Children may outlive the leader; kill whatever is left of the group.
	signalGroup(pgid, true)
	<-s.done
	return waitGroupGone(pgid, 5*time.Second)
}

// waitGroupGone waits until no process of the group remains.
func waitGroupGone(pgid int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if groupGone(pgid) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process group %d still has processes after SIGKILL", pgid)
		}
		signalGroup(pgid, true)
		time.Sleep(20 * time.Millisecond)
	}
}

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee) && ee.Exited():
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	default:
		return err.Error()
	}
}

// withheldEnv are variables of the harness a server never sees: the
// action's inputs (its GitHub token among them) and the runner's tokens. A
// server runs model code and user launchers; nothing there needs them.
var withheldEnv = []string{"INPUT_", "GITHUB_TOKEN=", "ACTIONS_RUNTIME_TOKEN=", "ACTIONS_ID_TOKEN_REQUEST_TOKEN="}

// ChildEnviron is environ without the variables a server, or anything the
// harness runs on a server's behalf (its version probe), must not see.
func ChildEnviron(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		withheld := false
		for _, prefix := range withheldEnv {
			if strings.HasPrefix(kv, prefix) {
				withheld = true
				break
			}
		}
		if !withheld {
			out = append(out, kv)
		}
	}
	return out
}
