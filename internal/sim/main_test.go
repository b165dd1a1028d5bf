package sim

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv marks a re-executed test binary that must run the simulator:
// its arguments are the simulator's.
const childEnv = "VLLM_BENCH_SIM_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// freePort returns a port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestMainVersionAndHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"--version"}, &out, &errb); code != 0 || out.String() != Version+"\n" {
		t.Errorf("--version: code %d, stdout %q", code, out.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"--help"}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "--sim-speedup") || !strings.Contains(out.String(), "--tensor-parallel-size, -tp") {
		t.Errorf("--help: code %d, stdout %q", code, out.String())
	}
}

func TestMainBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args, want string
	}{
		{"m -tp 0", "ValueError: tensor_parallel_size must be a positive integer, got 0"},
		{"m --max-model-len -1", "ValueError: max_model_len"},
		{"m --dtype fp7", "vllm serve: error: argument --dtype: invalid choice: 'fp7'"},
		{"m --sim-gpu tpu", "invalid choice: 'tpu'"},
	} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), strings.Fields(tt.args), &out, &errb)
		if code != ExitError || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%q: code %d, stderr %q; want %d and %q", tt.args, code, errb.String(), ExitError, tt.want)
		}
	}
}

func TestMainPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"m", "--host", "127.0.0.1", "--port", port, "--sim-load-time", "0"}, &out, &errb)
	if code != ExitError || !strings.Contains(errb.String(), "address already in use") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
}

func TestMainFailStartInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"m", "--host", "127.0.0.1", "--port", strconv.Itoa(freePort(t)), "--sim-load-time", "0", "--sim-fail-start"}
	code := Main(context.Background(), args, &out, &errb)
	if code != ExitError || !strings.Contains(errb.String(), "torch.OutOfMemoryError: CUDA out of memory") ||
		!strings.Contains(errb.String(), "Engine core initialization failed") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
}

func TestMainCancelDuringLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	args := []string{"m", "--host", "127.0.0.1", "--port", strconv.Itoa(freePort(t)), "--sim-load-time", "60"}
	if code := Main(ctx, args, &out, &errb); code != ExitOK {
		t.Errorf("cancel while loading: code %d, want 0", code)
	}
}
