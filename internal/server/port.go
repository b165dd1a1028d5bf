package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// CheckPortFree fails when another process already listens on port, so a
// stale server is never benchmarked in place of the one about to start.
//
// A plain bind is the first test. When it fails, the port may be held only
// by connections of a server that just stopped, in TIME_WAIT for about a
// minute: they block a bind that does not reuse the address, but not the
// next server, which binds with SO_REUSEADDR (uvicorn, for vLLM) or
// SO_REUSEPORT (llama.cpp's server). Where the system lists its sockets
// (Linux), the port then counts as in use only if a socket listens on it.
func CheckPortFree(port int) error {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err == nil {
		return l.Close()
	}
	if listening, known := portListening(port); known && !listening {
		return nil
	}
	return fmt.Errorf("port %d is already in use (is another server still running? stop it or set serve.port)", port)
}

// tcpListen is the state of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// listensOn reports whether a table in the format of Linux's /proc/net/tcp
// and /proc/net/tcp6 lists a socket in the LISTEN state on port.
func listensOn(table io.Reader, port int) (bool, error) {
	sc := bufio.NewScanner(table)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st ...; local_address is
		// ADDR:PORT in hexadecimal.
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[3] != tcpListen {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
			return true, nil
		}
	}
	return false, sc.Err()
}
