package server

import (
	"fmt"
	"net"
	"strconv"
)

// CheckPortFree fails when another process already listens on port, so a
// stale server is never benchmarked in place of the one about to start.
func CheckPortFree(port int) error {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("port %d is already in use (is another server still running? stop it or set serve.port)", port)
	}
	return l.Close()
}
