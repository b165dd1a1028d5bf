package server

import (
	"context"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// listenReusePort listens as llama.cpp's server does: SO_REUSEPORT and no
// SO_REUSEADDR, so its connections left in TIME_WAIT block a plain bind.
func listenReusePort(t *testing.T, addr string) net.Listener {
	t.Helper()
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0); serr == nil {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(context.Background(), "tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestCheckPortFreeIgnoresTimeWait(t *testing.T) {
	ln := listenReusePort(t, "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	// The server closes first, so its side of the connection stays in
	// TIME_WAIT after the listener is gone.
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv := <-accepted
	if srv == nil {
		t.Fatal("accept failed")
	}
	srv.Close()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	client.Read(make([]byte, 1)) // EOF once the server's FIN arrives
	client.Close()
	ln.Close()

	if err := CheckPortFree(port); err != nil {
		t.Errorf("CheckPortFree(%d) with only TIME_WAIT connections: %v", port, err)
	}
	// The case is real only when a plain bind fails here.
	if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
		l.Close()
		t.Logf("a plain bind of port %d succeeded despite TIME_WAIT: the check above proved less", port)
	}
	// A listener that allows port reuse is still found.
	again := listenReusePort(t, ln.Addr().String())
	defer again.Close()
	if err := CheckPortFree(port); err == nil {
		t.Errorf("CheckPortFree(%d) with a SO_REUSEPORT listener: nil, want already in use", port)
	}
}
