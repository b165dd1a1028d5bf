package sim

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"
)

// startMain runs the simulator's Main in-process on a free port with args
// added and returns its address once it accepts connections.
func startMain(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	host, port, _ := net.SplitHostPort(addr)
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"m", "--host", host, "--port", port, "--sim-load-time", "0"}, args...), io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the simulator did not open %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// idleConn sends one kept-alive GET /health on a new connection, reads the
// answer, and returns the connection and its reader.
func idleConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /health: %s, close %v; want 200 on a kept-alive connection", resp.Status, resp.Close)
	}
	return conn, r
}

func TestMainClosesIdleKeptAliveConnections(t *testing.T) {
	addr := startMain(t, "--sim-keepalive-timeout", "0.2")
	conn, r := idleConn(t, addr)
	start := time.Now()
	conn.SetReadDeadline(start.Add(10 * time.Second))
	_, err := r.ReadByte()
	if !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: read %v, want EOF (closed by the server)", err)
	}
	if idle := time.Since(start); idle < 150*time.Millisecond {
		t.Errorf("closed after %s idle, want about the 0.2 s keep-alive timeout", idle)
	}
}

func TestMainKeepaliveTimeoutZeroKeepsConnections(t *testing.T) {
	addr := startMain(t, "--sim-keepalive-timeout", "0")
	conn, r := idleConn(t, addr)
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := r.ReadByte()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("idle connection: read %v, want the client's own deadline (still open)", err)
	}
}
