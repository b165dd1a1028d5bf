package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a toy server process, so the lifecycle is
// exercised on real processes and process groups.
func TestMain(m *testing.M) {
	if mode := os.Getenv("SERVER_TEST_CHILD"); mode != "" {
		os.Exit(child(mode, os.Getenv("SERVER_TEST_PORT")))
	}
	os.Exit(m.Run())
}

func child(mode, port string) int {
	fmt.Println("INFO loading weights")
	switch mode {
	case "fail":
		fmt.Println("ERROR CUDA out of memory")
		return 1
	case "hang":
		time.Sleep(time.Hour)
		return 0
	case "stubborn":
		// Ignores SIGTERM and leaves a grandchild in its group.
		signal.Ignore(syscall.SIGTERM)
		gc := exec.Command("sleep", "3600")
		_ = gc.Start()
	}
	time.Sleep(100 * time.Millisecond) // load time: the port opens late, like vLLM's
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"toy-model","object":"model"}]}`)
	})
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("INFO serving")
	_ = http.Serve(l, mux)
	return 0
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func options(t *testing.T, mode string, port int) Options {
	return Options{
		Name:           "toy_TP1_DP1",
		Argv:           []string{os.Args[0], "-test.run=^$"},
		Env:            []string{"SERVER_TEST_CHILD=" + mode, "SERVER_TEST_PORT=" + strconv.Itoa(port)},
		LogPath:        filepath.Join(t.TempDir(), "logs", "toy.log"),
		BaseURL:        "http://127.0.0.1:" + strconv.Itoa(port),
		Port:           port,
		StartupTimeout: 20 * time.Second,
		PollInterval:   20 * time.Millisecond,
		StopGrace:      2 * time.Second,
	}
}

func groupAlive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

func TestStartStopTwiceOnSamePort(t *testing.T) {
	port := freePort(t)
	opts := options(t, "ok", port)
	for i := 0; i < 2; i++ {
		s, err := Start(context.Background(), opts)
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		if s.ModelID != "toy-model" || s.StartupS <= 0 {
			t.Errorf("start %d: model %q startup %gs", i, s.ModelID, s.StartupS)
		}
		pid := s.cmd.Process.Pid
		if err := s.Stop(); err != nil {
			t.Fatalf("stop %d: %v", i, err)
		}
		if groupAlive(pid) {
			t.Fatalf("start %d: process group %d still alive after Stop", i, pid)
		}
	}
	log, _ := os.ReadFile(opts.LogPath)
	if n := strings.Count(string(log), "=== vllm-bench: starting"); n != 2 {
		t.Errorf("log has %d start headers, want 2 (appended)", n)
	}
}

func TestStartFailureQuotesLog(t *testing.T) {
	s, err := Start(context.Background(), options(t, "fail", freePort(t)))
	var se *StartError
	if s != nil || !errors.As(err, &se) {
		t.Fatalf("got %v, %v; want a StartError", s, err)
	}
	if !strings.Contains(se.Reason, "exited during startup (exit status 1)") {
		t.Errorf("reason = %q", se.Reason)
	}
	if len(se.LogTail) == 0 || se.LogTail[len(se.LogTail)-1] != "ERROR CUDA out of memory" {
		t.Errorf("log tail = %q, want it to end with the child's error", se.LogTail)
	}
	if !strings.Contains(err.Error(), "ERROR CUDA out of memory") {
		t.Errorf("message does not quote the log: %v", err)
	}
}

func TestStartupTimeoutLeavesNoProcess(t *testing.T) {
	opts := options(t, "hang", freePort(t))
	opts.StartupTimeout = 300 * time.Millisecond
	_, err := Start(context.Background(), opts)
	var se *StartError
	if !errors.As(err, &se) || !strings.Contains(se.Reason, "startup_timeout") {
		t.Fatalf("got %v, want a startup timeout", err)
	}
	if !strings.Contains(err.Error(), "INFO loading weights") {
		t.Errorf("timeout message does not quote the log: %v", err)
	}
	assertNoChild(t, opts.Env[0])
}

func TestStopKillsStubbornGroup(t *testing.T) {
	opts := options(t, "stubborn", freePort(t))
	opts.StopGrace = 200 * time.Millisecond
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	pid := s.cmd.Process.Pid
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if groupAlive(pid) {
		t.Fatal("the group (leader ignoring SIGTERM, grandchild sleeping) survived Stop")
	}
}

func TestAbortSkipsGrace(t *testing.T) {
	opts := options(t, "stubborn", freePort(t))
	opts.StopGrace = time.Hour
	abort := make(chan struct{})
	close(abort)
	opts.Abort = abort
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- s.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stop waited for the grace period despite Abort")
	}
}

func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	opts := options(t, "ok", port)
	_, err = Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d is already in use", port)) {
		t.Fatalf("got %v, want a port-in-use error", err)
	}
	if _, statErr := os.Stat(opts.LogPath); statErr == nil {
		t.Error("a log was written although nothing should have started")
	}
}

func TestCancelDuringStartup(t *testing.T) {
	opts := options(t, "hang", freePort(t))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := Start(ctx, opts)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	assertNoChild(t, opts.Env[0])
}

// assertNoChild fails when a process started with marker in its
// environment is still running.
func assertNoChild(t *testing.T, marker string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(data), marker) && filepath.Base(filepath.Dir(p)) != strconv.Itoa(os.Getpid()) {
			t.Errorf("process %s still runs", filepath.Dir(p))
		}
	}
}

func TestTailLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	old := "old run line\n"
	var b strings.Builder
	b.WriteString(old)
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got := tailLines(path, int64(len(old)), 3)
	if strings.Join(got, "|") != "line 47|line 48|line 49" {
		t.Errorf("tail = %q", got)
	}
	if got := tailLines(path, int64(len(old)), 100); len(got) != 50 || got[0] != "line 0" {
		t.Errorf("tail from offset = %d lines starting %q, want 50 from line 0", len(got), got[0])
	}
}

func TestChildEnvironWithholdsTokens(t *testing.T) {
	got := ChildEnviron([]string{"PATH=/bin", "INPUT_GITHUB-TOKEN=ghs_x", "GITHUB_TOKEN=ghs_y", "GITHUB_REPOSITORY=a/b", "ACTIONS_RUNTIME_TOKEN=z", "HF_TOKEN=hf"})
	if strings.Join(got, " ") != "PATH=/bin GITHUB_REPOSITORY=a/b HF_TOKEN=hf" {
		t.Errorf("ChildEnviron = %q", got)
	}
}
